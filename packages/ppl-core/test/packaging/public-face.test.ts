// The public face (issue 24): every published entry's exports, values and
// types alike, are listed in public-face/<entry>.txt, so adding or removing a
// name is a change someone makes on purpose and a reviewer sees in the diff.
// docs/architecture.md says what each entry is for.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { declaredExports, faceLines, publishedEntries } from "./entry-exports.js";

const listDir = join(dirname(fileURLToPath(import.meta.url)), "public-face");
const UPDATE = process.env.PPL_UPDATE_FACE === "1";
const HOW_TO_UPDATE =
  "If the change is deliberate, write the lists anew with\n" +
  "  PPL_UPDATE_FACE=1 npx vitest run packages/ppl-core/test/packaging/public-face.test.ts\n" +
  "and commit packages/ppl-core/test/packaging/public-face/ with the change (and docs/architecture.md if an entry's purpose changed).";

const entries = publishedEntries();
const declared = declaredExports(entries);
const fileOf = (specifier: string) => `${specifier.replace("/", "-")}.txt`;
const header = (specifier: string) =>
  `# What "${specifier}" exports, one name a line ("type X": type-only; "ns.x": a member of namespace ns). Checked by public-face.test.ts.`;

function listed(specifier: string): string[] | undefined {
  const path = join(listDir, fileOf(specifier));
  if (!existsSync(path)) return undefined;
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("the public face: each entry exports exactly its committed list", () => {
  for (const entry of entries) {
    it(entry.specifier, async () => {
      const face = faceLines(declared.get(entry.source)!, (await import(entry.specifier)) as Record<string, unknown>);
      if (UPDATE) {
        mkdirSync(listDir, { recursive: true });
        writeFileSync(join(listDir, fileOf(entry.specifier)), [header(entry.specifier), ...face, ""].join("\n"));
      }
      const list = listed(entry.specifier);
      expect(list, `no list for "${entry.specifier}" (a new entry?). ${HOW_TO_UPDATE}`).toBeDefined();
      const added = face.filter((name) => !list!.includes(name));
      const removed = list!.filter((name) => !face.includes(name));
      expect(
        { added, removed },
        `"${entry.specifier}" no longer exports exactly public-face/${fileOf(entry.specifier)}. ${HOW_TO_UPDATE}`,
      ).toEqual({ added: [], removed: [] });
      expect(list, `public-face/${fileOf(entry.specifier)} is out of order. ${HOW_TO_UPDATE}`).toEqual(face);
    });
  }

  it("every list belongs to a published entry", () => {
    const expected = entries.map((e) => fileOf(e.specifier)).sort();
    const stale = readdirSync(listDir).filter((name) => !expected.includes(name));
    expect(stale, `lists of entries no package.json publishes any more: delete them. ${HOW_TO_UPDATE}`).toEqual([]);
  });
});
