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

/**
 * Baum–Welch (EM) in float64 from `start`, scaled forward–backward: the
 * maximum-likelihood parameters of the sequences `ys`. With the example's
 * flat Dirichlet(1) priors the prior density is constant on the simplex, so
 * the MAP that SVI with AutoDelta looks for is this same point.
 */
export function baumWelch(ys: readonly (readonly number[])[], start: PlainParams, iterations: number): PlainParams {
  let p = start;
  const K = start.probsInit.length;
  const V = start.probsEmit[0]!.length;
  for (let it = 0; it < iterations; it++) {
    const init = new Array<number>(K).fill(0);
    const trans = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const emit = Array.from({ length: K }, () => new Array<number>(V).fill(0));
    for (const y of ys) {
      const T = y.length;
      const alpha: number[][] = [];
      const c: number[] = [];
      for (let t = 0; t < T; t++) {
        const a = Array.from({ length: K }, (_, j) =>
          (t === 0 ? p.probsInit[j]! : alpha[t - 1]!.reduce((s, ai, i) => s + ai * p.probsTrans[i]![j]!, 0)) * p.probsEmit[j]![y[t]!]!,
        );
        const sum = a.reduce((s, x) => s + x, 0);
        c.push(sum);
        alpha.push(a.map((x) => x / sum));
      }
      let beta = new Array<number>(K).fill(1);
      for (let t = T - 1; t >= 0; t--) {
        const gamma = alpha[t]!.map((a, k) => a * beta[k]!);
        const g = gamma.reduce((s, x) => s + x, 0);
        gamma.forEach((x, k) => {
          emit[k]![y[t]!]! += x / g;
          if (t === 0) init[k]! += x / g;
        });
        if (t > 0) {
          // ξ_{t-1}(i, j) ∝ α_{t-1}(i) A_ij B_j(y_t) β_t(j)
          for (let i = 0; i < K; i++) {
            for (let j = 0; j < K; j++) {
              trans[i]![j]! += (alpha[t - 1]![i]! * p.probsTrans[i]![j]! * p.probsEmit[j]![y[t]!]! * beta[j]!) / c[t]!;
            }
          }
          beta = Array.from({ length: K }, (_, i) => p.probsTrans[i]!.reduce((s, a, j) => s + a * p.probsEmit[j]![y[t]!]! * beta[j]!, 0) / c[t]!);
        }
      }
    }
    const normalise = (row: readonly number[]) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((x) => x / s);
    };
    p = { probsInit: normalise(init), probsTrans: trans.map(normalise), probsEmit: emit.map(normalise) };
  }
  return p;
}

/** −log p(y, θ) of the example's model at θ = `p`: the flat Dirichlet priors' log-densities and the forward log-likelihoods. */
export function negLogJoint(ys: readonly (readonly number[])[], p: PlainParams): number {
  const K = p.probsInit.length;
  const V = p.probsEmit[0]!.length;
  const logPrior = logFlatDirichlet(K) + K * logFlatDirichlet(K) + K * logFlatDirichlet(V);
  return -(logPrior + ys.reduce((s, y) => s + forwardLogLik(y, p), 0));
}
