/** Printing and the machine-readable result: one place for both the example and the CLI. */
import type { PlainParams } from "./truth.js";

const f = (x: number, d = 3) => x.toFixed(d);

/** Learned parameters side by side with the truth (when known). */
export function paramsTable(learned: PlainParams, truth?: PlainParams, names?: readonly string[]): string {
  const K = learned.locs.length;
  const label = (k: number) => names?.[k] ?? `state ${k}`;
  const lines: string[] = [];
  const header = ["", "pi", "mean", "sd", ...Array.from({ length: K }, (_, j) => `A[·→${j}]`)];
  lines.push(header.map((h) => h.padStart(10)).join(""));
  for (let k = 0; k < K; k++) {
    const cells = (p: PlainParams) => [
      f(p.probsInit[k]!), f(p.locs[k]!), f(p.scales[k]!), ...p.probsTrans[k]!.map((a) => f(a)),
    ];
    lines.push([`${label(k)}`, ...cells(learned)].map((c) => c.padStart(10)).join("") + (truth ? "   learned" : ""));
    if (truth) lines.push(["", ...cells(truth)].map((c) => c.padStart(10)).join("") + "   true");
  }
  return lines.join("\n");
}

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
