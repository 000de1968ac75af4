/** The tutorial's report: the parameter table (ppl-hmm's) and the errors against the truth. */
import type { PlainParams } from "./truth.js";

export { paramsTable } from "ppl-hmm";

export interface Errors {
  maxLocError: number;
  maxScaleError: number;
  maxDiagError: number;
}

export function paramErrors(learned: PlainParams, truth: PlainParams): Errors {
  const K = truth.locs.length;
  let maxLocError = 0;
  let maxScaleError = 0;
  let maxDiagError = 0;
  for (let k = 0; k < K; k++) {
    maxLocError = Math.max(maxLocError, Math.abs(learned.locs[k]! - truth.locs[k]!));
    maxScaleError = Math.max(maxScaleError, Math.abs(learned.scales[k]! - truth.scales[k]!));
    maxDiagError = Math.max(maxDiagError, Math.abs(learned.probsTrans[k]![k]! - truth.probsTrans[k]![k]!));
  }
  return { maxLocError, maxScaleError, maxDiagError };
}

export function round(x: number, digits = 6): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

export function roundParams(p: PlainParams, digits = 6): PlainParams {
  return {
    probsInit: p.probsInit.map((x) => round(x, digits)),
    probsTrans: p.probsTrans.map((r) => r.map((x) => round(x, digits))),
    locs: p.locs.map((x) => round(x, digits)),
    scales: p.scales.map((x) => round(x, digits)),
  };
}
