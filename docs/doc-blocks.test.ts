// Every TypeScript code block in README.md and docs/*.md is type-checked (one strict tsc
// program for all of them, against the workspace packages) and the runnable ones are run,
// so the docs cannot drift from the API. Info strings (see docs/README.md):
//   ```ts            a whole program with its imports: type-checked and run
//   ```ts norun      a whole program: type-checked only (it is slow, or writes files)
//   ```ts fragment   a piece of a program: type-checked with the hidden context written in
//                    an HTML comment right above the fence, `<!-- context ... -->` (imports
//                    and `declare const` lines), and not run
//   ```ts fragment body   the same, for lines of a model body (`yield* ...`): checked inside a
//                    generator function
//   ```ts file=examples/x/src/y.ts   a copy of (part of) a repository file, which its own package
//                    type-checks and tests: the block must appear in that file verbatim
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { clearParamStore } from "ppl-core";
import { describe, expect, it } from "vitest";
import { annotatedStatements, installChecker, leadingLiterals, mismatch, withChecks } from "./doc-values.js";

interface Block {
  readonly source: string; // markdown file, relative to the repository root
  readonly line: number; // 1-based line of the opening fence
  readonly kind: "run" | "norun" | "fragment" | "file";
  readonly file: string; // the extracted .ts file
  readonly prefixLines: number; // lines of hidden context before the block's own code
  readonly runFile?: string; // run blocks: the copy whose printing statements check the values their comments give
  readonly checked?: readonly string[]; // where those statements are ("file.md:line")
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "docs", ".doc-blocks");

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f));
  return ["README.md", ...docs.sort()];
}

const fence = /^```(ts|typescript)\b\s*(.*)$/;

/** Blocks that quote a repository file (`ts file=...`). */
const copies: { source: string; line: number; path: string; text: string }[] = [];

function extract(source: string): Block[] {
  const lines = readFileSync(join(root, source), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = fence.exec(lines[i]!);
    if (!m) continue;
    const words = m[2]!.trim().split(/\s+/).filter((w) => w.length > 0);
    const copyOf = words.find((w) => w.startsWith("file="))?.slice("file=".length);
    const kind = copyOf !== undefined ? "file" : words.includes("fragment") ? "fragment" : words.includes("norun") ? "norun" : "run";
    const unknown = words.filter((w) => w !== "fragment" && w !== "norun" && w !== "body" && !w.startsWith("file="));
    if (words.includes("body") && kind !== "fragment") throw new Error(`${source}:${i + 1}: "body" goes with "fragment"`);
    if (unknown.length > 0) throw new Error(`${source}:${i + 1}: unknown code-block option(s) ${unknown.join(" ")}`);
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith("```")) end++;
    if (end === lines.length) throw new Error(`${source}:${i + 1}: unterminated code block`);
    const own = lines.slice(i + 1, end);
    if (copyOf !== undefined) {
      copies.push({ source, line: i + 1, path: copyOf, text: own.join("\n") });
      i = end;
      continue;
    }
    const code = words.includes("body") ? ["function* __body(): Generator<unknown, void, unknown> {", ...own, "}"] : own;
    const context = kind === "fragment" ? contextAbove(lines, i, source) : [];
    const name = `${source.replace(/[/.]/g, "_")}_L${i + 1}.ts`;
    const file = join(outDir, name);
    // `export {}` makes every block a module, so blocks' top-level names do not collide.
    const text = [...context, ...code, "export {};", ""].join("\n");
    writeFileSync(file, text);
    const block: Block = { source, line: i + 1, kind, file, prefixLines: context.length + (words.includes("body") ? 1 : 0) };
    if (kind === "run") {
      const fenceLine = i + 1;
      const annotated = annotatedStatements(text, (offset) => `${source}:${fenceLine + 1 + text.slice(0, offset).split("\n").length - 1}`);
      const runFile = file.replace(/\.ts$/, ".run.ts");
      writeFileSync(runFile, withChecks(text, annotated));
      blocks.push({ ...block, runFile, checked: annotated.map((a) => a.where) });
    } else {
      blocks.push(block);
    }
    i = end;
  }
  return blocks;
}

/** The `<!-- context ... -->` comment directly above a fragment's fence (blank lines allowed). */
function contextAbove(lines: readonly string[], fenceLine: number, source: string): string[] {
  let j = fenceLine - 1;
  while (j >= 0 && lines[j]!.trim() === "") j--;
  if (j < 0 || lines[j]!.trim() !== "-->") return [];
  let start = j;
  while (start >= 0 && !lines[start]!.trimStart().startsWith("<!-- context")) start--;
  if (start < 0) throw new Error(`${source}:${fenceLine + 1}: a comment ends above the fragment but no "<!-- context" opens it`);
  const first = lines[start]!.trimStart().slice("<!-- context".length);
  return [first, ...lines.slice(start + 1, j)];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.replace(/`/g, ""))));
}

/** Every relative link `[text](path#anchor)` of a markdown file whose target file (or heading) does not exist. */
function brokenLinks(source: string): string[] {
  const text = readFileSync(join(root, source), "utf8").replace(/```[\s\S]*?```/g, "");
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/.test(target)) continue; // http(s):, mailto:
    const [path, anchor] = target.split("#") as [string, string | undefined];
    const file = path === "" ? join(root, source) : resolve(dirname(join(root, source)), path);
    if (!existsSync(file)) out.push(`${source}: ${target} (no such file)`);
    else if (anchor !== undefined && file.endsWith(".md") && statSync(file).isFile() && !anchorsOf(file).has(anchor)) {
      out.push(`${source}: ${target} (no such heading)`);
    }
  }
  return out;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const blocks = markdownFiles().flatMap(extract);

describe("code blocks in README.md and docs/*.md", () => {
  it("there are blocks to check, and every kind is used", () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(new Set(blocks.map((b) => b.kind))).toEqual(new Set(["run", "norun", "fragment"]));
  });

  it("every relative link in README.md and docs/*.md points at a file (and heading) of the repository", () => {
    expect(markdownFiles().flatMap(brokenLinks)).toEqual([]);
  });

  it("README.md, docs/*.md and the packages' sources cite no file outside the repository", () => {
    // the notes the project started from are not shipped; what the docs need from them is in docs/
    const outside = /TFJS-NOTES|DESIGN\.md|ALGORITHM\.md|STYLE\.md|\/work\/|\.\.\/shared\//;
    const sources = [
      ...markdownFiles(),
      ...["ppl-core", "ppl-enum", "ppl-autoguide"].flatMap((p) => tsFiles(join("packages", p, "src"))),
    ];
    const hits = sources.flatMap((f) =>
      readFileSync(join(root, f), "utf8").split("\n").flatMap((line, i) => (outside.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it("every block quoting a repository file (ts file=...) matches that file", () => {
    const stale = copies
      .filter((c) => {
        let text: string;
        try {
          text = readFileSync(join(root, c.path), "utf8");
        } catch {
          return true;
        }
        return !text.includes(c.text);
      })
      .map((c) => `${c.source}:${c.line}: the block is not a verbatim part of ${c.path}`);
    expect(stale).toEqual([]);
  });

  it("every runnable block that runs inference awaits ready() itself (the test's setup already did, a user's program has not)", () => {
    const missing = blocks
      .filter((b) => b.kind !== "fragment")
      .filter((b) => {
        const code = readFileSync(b.file, "utf8");
        return /new (SVI|Predictive)\b/.test(code) && !/await ready\(\)/.test(code);
      })
      .map((b) => `${b.source}:${b.line}`);
    expect(missing).toEqual([]);
  });

  it("every block type-checks under tsc --strict against the workspace packages", () => {
    const program = ts.createProgram(
      blocks.map((b) => b.file),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ["lib.es2022.d.ts"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        allowImportingTsExtensions: false,
      },
    );
    const byFile = new Map(blocks.map((b) => [b.file, b]));
    // diagnostics of the blocks only: the packages' own sources are checked by `pnpm typecheck`
    const problems = blocks
      .flatMap((b) => {
        const sf = program.getSourceFile(b.file)!;
        return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      })
      .filter((d) => d.file !== undefined && byFile.has(d.file.fileName))
      .map((d) => {
        const block = byFile.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const where =
          line < block.prefixLines
            ? `${block.source}:${block.line} (context line ${line + 1})`
            : `${block.source}:${block.line + 1 + line - block.prefixLines}`;
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
    expect(problems.join("\n")).toBe("");
  });

  it("the values the docs print are checked: more than a dozen statements carry them", () => {
    expect(blocks.flatMap((b) => b.checked ?? []).length).toBeGreaterThan(12);
  });

  for (const block of blocks.filter((b) => b.kind === "run")) {
    it(`runs ${block.source}:${block.line}${block.checked!.length > 0 ? ` and prints what its comments say (${block.checked!.length})` : ""}`, async () => {
      clearParamStore(); // each block starts as a fresh program would
      const log = installChecker();
      await import(pathToFileURL(block.runFile!).href);
      expect(log.problems).toEqual([]);
      expect(block.checked!.filter((w) => !log.reached.has(w)).map((w) => `${w}: never ran`)).toEqual([]);
    });
  }
});

describe("the check of printed values (docs/doc-values.ts)", () => {
  it("reads the leading literals of a comment, and nothing from prose", () => {
    expect(leadingLiterals(" ≈ [-1.98, 0.16, 2.81]")).toEqual({ approx: true, literals: ["[-1.98, 0.16, 2.81]"] });
    expect(leadingLiterals(" [100, 6] [100]: one row per draw")).toEqual({ approx: false, literals: ["[100, 6]", "[100]"] });
    expect(leadingLiterals(' "z"')).toEqual({ approx: false, literals: ['"z"'] });
    expect(leadingLiterals(" { rate: 2, probs: [0.25, 0.5] }")).toEqual({ approx: false, literals: ["{ rate: 2, probs: [0.25, 0.5] }"] });
    expect(leadingLiterals(" 0: x is still alive")).toEqual({ approx: false, literals: ["0"] });
    expect(leadingLiterals(" equal to float32 precision")).toBeUndefined();
    expect(leadingLiterals(" 3rd draw")).toBeUndefined();
  });

  it("flags a printed value that differs from the comment, beyond 5 % under ≈ and float32 precision otherwise", () => {
    expect(mismatch([-1.98, 0.16, 2.81], [-1.9, 0.2, 2.7], true)).toEqual([]);
    expect(mismatch([-1.98, 0.16, 2.81], [-1.98, 0.16, 2.5], true)).toEqual(["[2]: expected ≈ 2.81, printed 2.5"]);
    expect(mismatch(0.25, 0.2500001, false)).toEqual([]);
    expect(mismatch(0.25, 0.251, false)).toHaveLength(1);
    expect(mismatch([100, 6], [100], false)).toHaveLength(1);
    expect(mismatch({ rate: 2 }, new Map([["rate", 2], ["probs", 1]]), false)).toEqual(["value: printed keys probs the comment does not list"]);
    expect(mismatch("z", "y", false)).toHaveLength(1);
  });

  it("replaces console.log and .print() statements that carry values, and leaves prose comments alone", () => {
    const code = "console.log(a, b); // [1] 2\nx.print(); // ≈ 3\nconsole.log(c); // close to y\n";
    const annotated = annotatedStatements(code, (offset) => `L${code.slice(0, offset).split("\n").length}`);
    expect(annotated.map((a) => a.where)).toEqual(["L1", "L2"]);
    expect(withChecks(code, annotated)).toBe(
      '__docValue("L1", false, [[1], 2], [a, b]); // [1] 2\n__docValue("L2", true, [3], [x]); // ≈ 3\nconsole.log(c); // close to y\n',
    );
  });
});

