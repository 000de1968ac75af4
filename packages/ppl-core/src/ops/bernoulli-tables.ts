/**
 * Bernoulli's log-mass and its derivative per parameter entry, as a value at
 * 0 and a rise to 1 (at0 + v · rise: exact at 0 and 1, the relaxed values'
 * mix between). The emissions broadcast each parameter over many values (or
 * gather it from a table), so the logs are taken once per entry
 * (bernoulli-logprob.ts, bernoulli-run-sums.ts).
 */
import { clampProbNumber } from "./clamp-probs.js";
import type { KernelValues } from "./kernel-io.js";

export type Kind = "probs" | "logits";

/**
 * Per parameter element, the log-mass at 0 and its change from 0 to 1:
 *   probs q (clamped to c): log(1 - c), log c - log(1 - c)
 *   logits l: log σ(-l), log σ(l) - log σ(-l) = l
 */
export interface Tables {
  at0: Float64Array;
  rise: Float64Array;
}

/** log σ(l), stable for large |l|. */
export const logSigmoid = (l: number): number => (l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));

/** Two float64 arrays shared by every call, as the gradient sums are (a table lives only through its loop). */
let tableSpace = new Float64Array(0);
function emptyTables(n: number): Tables {
  if (tableSpace.length < 2 * n) tableSpace = new Float64Array(Math.max(2 * n, 2 * tableSpace.length));
  return { at0: tableSpace.subarray(0, n), rise: tableSpace.subarray(n, 2 * n) };
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

export function tables(p: KernelValues, kind: Kind): Tables {
  const n = p.length;
  const t = emptyTables(n);
  for (let i = 0; i < n; i++) {
    const a = p[i]!;
    if (kind === "probs") {
      const c = clampProbNumber(a);
      t.at0[i] = Math.log1p(-c);
      t.rise[i] = Math.log(c) - t.at0[i]!;
    } else {
      t.at0[i] = logSigmoid(-a);
      t.rise[i] = a;
    }
  }
  return t;
}

/**
 * The derivatives in the parameter, as at0 + v · rise:
 *   probs: -1/(1 - c) at 0, 1/c at 1, both 0 where the clamp bites (c ≠ q)
 *   logits: -σ(l) at 0, 1 - σ(l) at 1
 */
export function gradientTables(p: KernelValues, kind: Kind): Tables {
  const n = p.length;
  const t = emptyTables(n);
  for (let i = 0; i < n; i++) {
    const a = p[i]!;
    if (kind === "probs") {
      const c = clampProbNumber(a);
      t.at0[i] = c === a ? -1 / (1 - c) : 0;
      t.rise[i] = c === a ? 1 / c + 1 / (1 - c) : 0;
    } else {
      t.at0[i] = -1 / (1 + Math.exp(-a));
      t.rise[i] = 1;
    }
  }
  return t;
}
