/**
 * Posterior marginals of one chain in float64: the scaled forward–backward
 * recursion (Rabiner 1989) on log unary factors [T, K] and one log transition
 * matrix [K, K] shared by every step. What structured mean-field needs per
 * chain; ppl-core's chain kernel has the same pass but exports only its
 * filtering, sampling and Viterbi routes.
 */

/** p(v_t = k | everything), [T, K] row-major. */
export function chainMarginals(unary: Float64Array, logTrans: Float64Array, T: number, K: number): Float64Array {
  const P = Float64Array.from(logTrans, Math.exp);
  const alpha = new Float64Array(T * K);
  const e = new Float64Array(T * K);
  // exp(unary - row max): the row's shift cancels in the normalisation
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, unary[t * K + k]!);
    for (let k = 0; k < K; k++) e[t * K + k] = Math.exp(unary[t * K + k]! - m);
  }
  const c = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < K; j++) {
      let a = 0;
      if (t === 0) a = 1;
      else for (let i = 0; i < K; i++) a += alpha[(t - 1) * K + i]! * P[i * K + j]!;
      a *= e[t * K + j]!;
      alpha[t * K + j] = a;
      s += a;
    }
    c[t] = s;
    for (let j = 0; j < K; j++) alpha[t * K + j]! /= s;
  }
  const gamma = new Float64Array(T * K);
  const beta = new Float64Array(K).fill(1);
  const next = new Float64Array(K);
  for (let t = T - 1; t >= 0; t--) {
    let s = 0;
    for (let k = 0; k < K; k++) s += (gamma[t * K + k] = alpha[t * K + k]! * beta[k]!);
    for (let k = 0; k < K; k++) gamma[t * K + k]! /= s;
    if (t === 0) break;
    for (let i = 0; i < K; i++) {
      let acc = 0;
      for (let j = 0; j < K; j++) acc += P[i * K + j]! * e[t * K + j]! * beta[j]!;
      next[i] = acc / c[t]!;
    }
    beta.set(next);
  }
  return gamma;
}
