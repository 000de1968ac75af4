// Float64 references written independently of ppl: the forward algorithm (log-likelihood of
// symbol sequences, the states summed out) and Viterbi (the arg-max state path), both on plain
// JS numbers, and the Dirichlet(1) log-density of a point on the simplex.
import type { PlainParams } from "../src/truth.js";

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** log p(y) of one sequence under `p`, by the forward recursion in log space. */
export function forwardLogLik(y: readonly number[], p: PlainParams): number {
  const K = p.probsInit.length;
  let alpha = Array.from({ length: K }, (_, k) => Math.log(p.probsInit[k]!) + Math.log(p.probsEmit[k]![y[0]!]!));
  for (let t = 1; t < y.length; t++) {
    alpha = Array.from({ length: K }, (_, j) =>
      logSumExp(alpha.map((a, i) => a + Math.log(p.probsTrans[i]![j]!))) + Math.log(p.probsEmit[j]![y[t]!]!),
    );
  }
  return logSumExp(alpha);
}

/** The most probable state path of one sequence under `p` (ties go to the lower state, as arg-max does). */
export function viterbi(y: readonly number[], p: PlainParams): number[] {
  const K = p.probsInit.length;
  const T = y.length;
  let delta = Array.from({ length: K }, (_, k) => Math.log(p.probsInit[k]!) + Math.log(p.probsEmit[k]![y[0]!]!));
  const back: number[][] = [];
  for (let t = 1; t < T; t++) {
    const ptr: number[] = [];
    const next: number[] = [];
    for (let j = 0; j < K; j++) {
      let bi = 0;
      let bv = -Infinity;
      for (let i = 0; i < K; i++) {
        const v = delta[i]! + Math.log(p.probsTrans[i]![j]!);
        if (v > bv) [bi, bv] = [i, v];
      }
      ptr.push(bi);
      next.push(bv + Math.log(p.probsEmit[j]![y[t]!]!));
    }
    back.push(ptr);
    delta = next;
  }
  const path = new Array<number>(T);
  path[T - 1] = delta.indexOf(Math.max(...delta));
  for (let t = T - 1; t > 0; t--) path[t - 1] = back[t - 1]![path[t]!]!;
  return path;
}

/** log Dirichlet(1, …, 1)(x) for x on the K-simplex: log Γ(K) = log (K−1)!, whatever x is. */
export function logFlatDirichlet(K: number): number {
  let s = 0;
  for (let k = 2; k < K; k++) s += Math.log(k);
  return s;
}
