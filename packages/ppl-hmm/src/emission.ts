/**
 * The Gaussian emission, written once: every float64 score of ppl-hmm (the
 * Baum–Welch E-step, the final log-likelihood, the Viterbi path) takes its
 * emission log-densities from here. (The ppl model's own emission is
 * dist.Normal in fit/model.ts.)
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log N(y_t | locs[k], sds[k]) at [t·K + k] for every step of `y` (length T·K),
 * into `out` when given (reused across EM iterations).
 */
export function gaussianLogEmissions(y: ArrayLike<number>, locs: readonly number[], sds: readonly number[], out?: Float64Array): Float64Array {
  const K = locs.length;
  const T = y.length;
  const e = out ?? new Float64Array(T * K);
  const norm = sds.map((s) => -Math.log(s) - HALF_LOG_2PI);
  const inv = sds.map((s) => 1 / s);
  for (let t = 0; t < T; t++) {
    const v = y[t]!;
    for (let k = 0; k < K; k++) {
      const u = (v - locs[k]!) * inv[k]!;
      e[t * K + k] = norm[k]! - 0.5 * u * u;
    }
  }
  return e;
}
