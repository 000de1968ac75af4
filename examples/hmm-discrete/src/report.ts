/** The printed table and the numbers of the JSON result: learned parameters against the truth. */
import { SYMBOLS, type PlainParams } from "./truth.js";

const f = (x: number) => x.toFixed(3).padStart(8);

/** Learned parameters side by side with the true ones, one line pair per state. */
export function paramsTable(learned: PlainParams, truth: PlainParams, names: readonly string[]): string {
  const K = truth.probsInit.length;
  const header = ["".padEnd(8), "  start", ...names.map((n) => `→${n}`.padStart(8)), " ", ...SYMBOLS.map((s) => s.padStart(8))].join("");
  const lines = [header];
  for (let k = 0; k < K; k++) {
    const cells = (p: PlainParams) => [f(p.probsInit[k]!), ...p.probsTrans[k]!.map(f), " ", ...p.probsEmit[k]!.map(f)].join("");
    lines.push(`${names[k]!.padEnd(8)}${cells(learned)}   learned`);
    lines.push(`${"".padEnd(8)}${cells(truth)}   true`);
  }
  return lines.join("\n");
}

/** The largest absolute error in each group of parameters. */
export interface Errors {
  maxInitError: number;
  maxTransError: number;
  maxEmitError: number;
}

const maxAbsDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

/** Max |learned − true| over the start, transition and emission probabilities (learned already relabelled). */
export function paramErrors(learned: PlainParams, truth: PlainParams): Errors {
  return {
    maxInitError: maxAbsDiff(learned.probsInit, truth.probsInit),
    maxTransError: Math.max(...truth.probsTrans.map((row, k) => maxAbsDiff(learned.probsTrans[k]!, row))),
    maxEmitError: Math.max(...truth.probsEmit.map((row, k) => maxAbsDiff(learned.probsEmit[k]!, row))),
  };
}

/** `x` rounded to `digits` decimals (for a readable JSON). */
export function round(x: number, digits = 6): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

/** Every probability of `p` rounded to `digits` decimals. */
export function roundParams(p: PlainParams, digits = 6): PlainParams {
  const r = (xs: readonly number[]) => xs.map((x) => round(x, digits));
  return { probsInit: r(p.probsInit), probsTrans: p.probsTrans.map(r), probsEmit: p.probsEmit.map(r) };
}
