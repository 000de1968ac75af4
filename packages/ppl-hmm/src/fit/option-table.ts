/**
 * ppl-hmm fit's options as one table: each option's default, range and help
 * line, so `--help`, the parser's messages and the page's defaults can never
 * disagree. No Node modules here (the page imports it).
 */

/** `ppl-hmm fit`'s options, parsed and checked (see OPTIONS for each one's meaning). */
export interface CliOptions {
  data?: string;
  states: number;
  restarts: number;
  em: number;
  maxSteps: number;
  tol: number;
  window: number;
  lr: number;
  minScale: number;
  seed: number;
  method: "em" | "svi";
  form: "discrete-hmm" | "markov";
  header: "yes" | "no" | "auto";
  missing: "drop" | "error";
  columns?: string[];
  group?: string;
  time?: string;
  delimiter?: string;
  decimal?: "." | ",";
  out: string;
  figures: boolean;
  json: boolean;
}

export type Spec =
  | { kind: "int"; key: keyof CliOptions; min: number; max: number; def: number; help: string; meta: string }
  | { kind: "num"; key: keyof CliOptions; min: number; max: number; minOpen?: boolean; def: number; help: string; meta: string }
  | { kind: "enum"; key: keyof CliOptions; values: readonly string[]; def: string; help: string }
  | { kind: "str"; key: keyof CliOptions; def?: string; help: string; meta: string }
  | { kind: "flag"; key: keyof CliOptions; help: string };

/** Every option, in --help order. */
export const OPTIONS: Record<string, Spec> = {
  states: { kind: "int", key: "states", min: 1, max: 12, def: 3, meta: "K", help: "number of hidden states" },
  method: { kind: "enum", key: "method", values: ["em", "svi"], def: "em", help: "em: Baum–Welch (MAP EM) in float64, the fast default; svi: the ppl model (fit/model.ts) by SVI with Adam from the same starts (same optimum, slower)" },
  restarts: { kind: "int", key: "restarts", min: 1, max: 100, def: 4, meta: "N", help: "starting points (k-means from quantiles, then k-means++); identical starts run once" },
  em: { kind: "int", key: "em", min: 0, max: 1000, def: 5, meta: "N", help: "--method svi: Baum–Welch iterations that refine each restart's k-means start before SVI (0: none)" },
  steps: { kind: "int", key: "maxSteps", min: 1, max: 1_000_000, def: 3000, meta: "N", help: "most iterations per restart (Baum–Welch iterations, or Adam steps with --method svi); a warning says when a restart stops here unconverged" },
  tol: { kind: "num", key: "tol", min: 0, max: 1, def: 1e-6, meta: "X", help: "--method svi: a plateau when the best loss improves by less than X × |loss| over --window steps (--method em converges when an iteration raises the log joint by < 1e-10 relative and its gradient is < 1e-6 per value)" },
  window: { kind: "int", key: "window", min: 1, max: 100_000, def: 10, meta: "N", help: "steps over which --tol is measured" },
  lr: { kind: "num", key: "lr", min: 0, minOpen: true, max: 100, def: 0.05, meta: "X", help: "Adam learning rate on standardised data; divided by 4 (back at the best iterate) at each plateau or jump, twice at most; a plateau at the lowest rate is convergence" },
  "min-scale": { kind: "num", key: "minScale", min: 0, max: 1, def: 0.01, meta: "X", help: "floor of each state's sd, as a fraction of the data's sd (emission sd = √(scale² + floor²))" },
  seed: { kind: "int", key: "seed", min: 0, max: 2 ** 31 - 1, def: 0, meta: "N", help: "seed of the k-means++ starts" },
  form: { kind: "enum", key: "form", values: ["discrete-hmm", "markov"], def: "discrete-hmm", help: "how states are summed out: one DiscreteHMM site per group of sequences (fast), or the tutorial's markov loop (slow, same answer)" },
  header: { kind: "enum", key: "header", values: ["auto", "yes", "no"], def: "auto", help: "is the CSV's first row a header? auto: yes when it is not numeric, or when it is increasing integers outside every column's values (years)" },
  missing: { kind: "enum", key: "missing", values: ["error", "drop"], def: "error", help: "missing cells (empty, NaN, NA, N/A, null, None, '.', '-', '?'): stop with an error naming the cell, or drop them (the sequence joins across the gap)" },
  columns: { kind: "str", key: "columns", meta: "A,B", help: "value columns to use (header names or 1-based numbers; default: every column but --group and --time)" },
  group: { kind: "str", key: "group", meta: "COL", help: "a long (tidy) table: the column naming each row's sequence (one sequence per value, in file order)" },
  time: { kind: "str", key: "time", meta: "COL", help: "a time column (dates, timestamps): kept beside each value in states.csv" },
  delimiter: { kind: "enum", key: "delimiter", values: [",", ";", "tab", "|"], def: "auto", help: "the cell delimiter (auto: detected from the first rows; tab for .tsv)" },
  decimal: { kind: "enum", key: "decimal", values: [".", ","], def: "auto", help: "the decimal mark (auto: ',' when a ';' or tab file has cells like 1,5 and none like 1.5)" },
  data: { kind: "str", key: "data", meta: "FILE", help: "the data file (instead of the positional argument); .json: an array of numbers, of records, an object of columns, or { \"obs\": number[][] }" },
  out: { kind: "str", key: "out", def: "ppl-hmm-out", meta: "DIR", help: "output folder: written as a whole when the run is complete (new, empty, or a previous ppl-hmm result)" },
  "no-figures": { kind: "flag", key: "figures", help: "skip the figures (SVG and PNG)" },
  json: { kind: "flag", key: "json", help: "print only the result as one JSON object on stdout (messages go to stderr)" },
  help: { kind: "flag", key: "json", help: "print this help and exit" },
};

/** An option whose default "auto" is no value: the reader decides (delimiter, decimal mark). */
export function isAuto(s: Spec): boolean {
  return s.kind === "enum" && s.def === "auto" && !s.values.includes("auto");
}

function defaultText(s: Spec): string {
  switch (s.kind) {
    case "int":
      return `default ${s.def}; ${s.min}–${s.max}`;
    case "num":
      return `default ${s.def}; ${s.minOpen ? `> ${s.min}` : `≥ ${s.min}`} and ≤ ${s.max}`;
    case "enum":
      return `default ${s.def}; one of ${s.values.join(", ")}${s.def === "auto" && !s.values.includes("auto") ? ", auto" : ""}`;
    case "str":
      return s.def === undefined ? "" : `default ${s.def}`;
    case "flag":
      return "";
  }
}

/** `ppl-hmm --help`. */
export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, s]) => {
    const left = `  --${name}${"meta" in s ? ` ${s.meta}` : s.kind === "enum" ? ` ${s.values.join("|")}` : ""}`;
    const d = defaultText(s);
    return `${left.padEnd(32)}${s.help}${d ? ` (${d})` : ""}`;
  });
  return [
    "usage: ppl-hmm fit <data.csv | data.json | --data FILE> [options]",
    "",
    "Fits a hidden Markov model with Gaussian emissions (maximum a posteriori of ppl's",
    "model: Baum–Welch by default, SVI with --method svi) to one or more sequences, decodes",
    "each sequence's most likely states (Viterbi) and writes DIR/params.json, DIR/states.csv",
    "and figures.",
    "",
    "Input: a table (CSV, TSV, ';'-separated with decimal commas, '|'; delimiter and decimal",
    "mark detected) with one numeric column per sequence (columns may differ in length), or a",
    "long table with --group COL (or the header 'sequence,value'); or JSON: an array of numbers,",
    "an array of records, an object of columns, or { \"obs\": number[][] }. Read as a stream.",
    "The fit runs on standardised data ((y − mean) / sd); results are in the data's units.",
    "",
    "options:",
    ...rows,
    "",
    "exit codes: 0 done; 2 bad data or options (one 'ppl-hmm: error:' line, before any",
    "training); 1 an internal fault (PPL_DEBUG=1 prints its stack).",
    "",
    "examples:",
    "  ppl-hmm fit weather.csv --columns temp_max --states 2",
    "  ppl-hmm fit signals.csv --states 3 --missing drop --out results --json > result.json",
    "  ppl-hmm fit --data obs.json --states 4 --restarts 8 --no-figures",
    "  ppl-hmm fit weather-long.csv --group city --columns temp --time date --states 2",
    "  ppl-hmm fit messwerte.csv --states 2          (';' and decimal commas detected)",
    "",
    "Run it as `pnpm exec ppl-hmm ...` (or `npx ppl-hmm ...`) in the workspace: through",
    "`pnpm ppl-hmm` errors are followed by pnpm's own failure lines.",
  ].join("\n");
}

/** Every option at its default, writing to `out` (what `ppl-hmm fit` uses when no option is given). */
export function defaultOptions(out: string): CliOptions {
  const o: Record<string, unknown> = { out, figures: true, json: false };
  for (const s of Object.values(OPTIONS)) if ("def" in s && s.def !== undefined && !isAuto(s) && s.key !== "out") o[s.key] = s.def;
  return o as unknown as CliOptions;
}
