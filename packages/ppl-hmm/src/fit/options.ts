/**
 * ppl-hmm's options: one table gives each option's default, range and help
 * line, so `--help` and the error messages can never disagree with the parser.
 */
import { parseArgs } from "node:util";
import { OptionError } from "../errors.js";
import { userPath } from "../paths.js";
import { type CliOptions, OPTIONS, type Spec, isAuto } from "./option-table.js";

export { type CliOptions, OPTIONS, defaultOptions, helpText } from "./option-table.js";

function valid(s: Spec): string {
  switch (s.kind) {
    case "int":
      return `an integer from ${s.min} to ${s.max}`;
    case "num":
      return `a number ${s.minOpen ? `> ${s.min}` : `≥ ${s.min}`} and ≤ ${s.max}`;
    case "enum":
      return `one of ${s.values.join(", ")}${isAuto(s) ? ", auto" : ""}`;
    default:
      return "a value";
  }
}

/**
 * Parses `fit`'s arguments. Every error names the option, the value and what
 * is valid. Returns undefined for --help.
 */
export function parseCliOptions(argv: readonly string[]): { options: CliOptions; positionals: string[] } | undefined {
  // a value that looks like a negative number is still that option's value (node's parseArgs would call it ambiguous)
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const spec = a.startsWith("--") ? OPTIONS[a.slice(2)] : undefined;
    const next = argv[i + 1];
    if (spec && spec.kind !== "flag") {
      if (next === undefined || (next.startsWith("--") && OPTIONS[next.slice(2).split("=")[0]!] !== undefined)) {
        throw new OptionError(`--${a.slice(2)} needs a value: ${valid(spec) === "a value" ? `--${a.slice(2)} ${"meta" in spec ? spec.meta : "VALUE"}` : valid(spec)}`);
      }
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const config = Object.fromEntries(Object.entries(OPTIONS).map(([name, s]) => [name, { type: s.kind === "flag" ? ("boolean" as const) : ("string" as const) }]));
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: config });
  } catch (err) {
    const m = /Unknown option '([^']+)'/.exec((err as Error).message);
    if (m) throw new OptionError(`unknown option '${m[1]}'; the options are ${Object.keys(OPTIONS).map((o) => `--${o}`).join(" ")} (ppl-hmm --help)`);
    throw new OptionError(`${(err as Error).message.split("\n")[0]} (ppl-hmm --help)`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(OPTIONS)) {
    if (name === "help") continue;
    const raw = v[name];
    if (s.kind === "flag") {
      out[s.key] = s.key === "figures" ? raw !== true : raw === true;
      continue;
    }
    if (raw === undefined) {
      if ("def" in s && s.def !== undefined && !isAuto(s)) out[s.key] = s.def;
      continue;
    }
    const text = String(raw);
    const bad = () => new OptionError(`--${name} ${text}: expected ${valid(s)}`);
    if (s.kind === "int" || s.kind === "num") {
      const x = Number(text);
      if (text.trim() === "" || !Number.isFinite(x)) throw bad();
      if (s.kind === "int" && !Number.isInteger(x)) throw bad();
      const low = s.kind === "num" && s.minOpen ? x <= s.min : x < s.min;
      if (low || x > s.max) throw bad();
      out[s.key] = x;
    } else if (s.kind === "enum") {
      // "auto" is no choice: the reader decides
      if (isAuto(s) && text === "auto") continue;
      if (!s.values.includes(text)) throw bad();
      out[s.key] = s.key === "delimiter" && text === "tab" ? "\t" : text;
    } else if (s.key === "columns") {
      const cols = text.split(",").map((c) => c.trim()).filter((c) => c !== "");
      if (cols.length === 0) throw new OptionError(`--columns '${text}': expected column names or numbers separated by commas`);
      out.columns = cols;
    } else {
      if (text.trim() === "") throw new OptionError(`--${name}: expected a non-empty ${"meta" in s ? s.meta : "value"}`);
      out[s.key] = name === "data" || name === "out" ? userPath(text) : text;
    }
  }
  out.out = userPath(String(out.out));
  return { options: out as unknown as CliOptions, positionals: parsed.positionals };
}
