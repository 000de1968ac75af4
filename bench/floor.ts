/**
 * The plain float64 floor of the seed workload's SVI step (issue 25): what a
 * hand-written JS loop needs for the same arithmetic, the log-likelihood of
 * S sequences of a K-state Gaussian HMM by the scaled forward algorithm and
 * its gradient in (probs_init, probs_trans, locs, scales) by the backward
 * pass, with no framework at all. ppl's step does more (priors, transforms,
 * an optimiser), all of it small beside this at S=30, T=120; the ratio of a
 * step to this floor says what the framework costs.
 */
import { hmmLogLikelihood64 } from "ppl-core/hmm";

export interface SeedParams {
  readonly probsInit: readonly number[];
  readonly probsTrans: readonly (readonly number[])[];
  readonly locs: readonly number[];
  readonly scales: readonly number[];
}

export interface FloorResult {
  readonly logLikelihood: number;
  readonly dInit: Float64Array;
  readonly dTrans: Float64Array;
  readonly dLocs: Float64Array;
  readonly dScales: Float64Array;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Σ_s log p(y_s) and its gradient, each sequence by the scaled forward–backward pass. */
export function seedFloor(obs: readonly (readonly number[])[], p: SeedParams): FloorResult {
  const K = p.locs.length;
  const trans = new Float64Array(K * K);
  p.probsTrans.forEach((row, i) => row.forEach((v, j) => (trans[i * K + j] = v)));
  const out: FloorResult = {
    logLikelihood: 0, dInit: new Float64Array(K), dTrans: new Float64Array(K * K), dLocs: new Float64Array(K), dScales: new Float64Array(K),
  };
  let total = 0;
  for (const y of obs) total += sequence(y, p, trans, K, out);
  return { ...out, logLikelihood: total };
}

function sequence(y: readonly number[], p: SeedParams, trans: Float64Array, K: number, g: FloorResult): number {
  const T = y.length;
  const emit = new Float64Array(T * K);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const z = (y[t]! - p.locs[k]!) / p.scales[k]!;
      emit[t * K + k] = Math.exp(-0.5 * z * z - Math.log(p.scales[k]!) - HALF_LOG_2PI);
    }
  }
  // forward: alpha_t normalised to sum 1, c_t the normaliser
  const alpha = new Float64Array(T * K);
  const c = new Float64Array(T);
  let logLik = 0;
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let j = 0; j < K; j++) {
      let a = 0;
      if (t === 0) a = p.probsInit[j]!;
      else for (let i = 0; i < K; i++) a += alpha[(t - 1) * K + i]! * trans[i * K + j]!;
      a *= emit[t * K + j]!;
      alpha[t * K + j] = a;
      sum += a;
    }
    c[t] = sum;
    for (let j = 0; j < K; j++) alpha[t * K + j]! /= sum;
    logLik += Math.log(sum);
  }
  // backward, with the gradient: d log p / d emit[t,k] = alpha_t(k) beta_t(k) / emit[t,k] (scaled so)
  let beta = new Float64Array(K).fill(1);
  for (let t = T - 1; t >= 0; t--) {
    for (let k = 0; k < K; k++) {
      const post = alpha[t * K + k]! * beta[k]!; // p(z_t = k | y)
      const z = (y[t]! - p.locs[k]!) / p.scales[k]!;
      g.dLocs[k]! += post * z / p.scales[k]!;
      g.dScales[k]! += post * (z * z - 1) / p.scales[k]!;
    }
    if (t === 0) {
      for (let k = 0; k < K; k++) g.dInit[k]! += (emit[k]! * beta[k]!) / c[0]!;
      break;
    }
    const prev = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      let b = 0;
      for (let j = 0; j < K; j++) {
        const w = trans[i * K + j]! * emit[t * K + j]! * beta[j]! / c[t]!;
        b += w;
        g.dTrans[i * K + j]! += alpha[(t - 1) * K + i]! * emit[t * K + j]! * beta[j]! / c[t]!;
      }
      prev[i] = b;
    }
    beta = prev;
  }
  return logLik;
}

/** The floor's log-likelihood against ppl-core/hmm's float64 forward algorithm (a check that the floor computes the same thing). */
export function floorAgreement(obs: readonly (readonly number[])[], p: SeedParams): number {
  let reference = 0;
  for (const y of obs) {
    const logEmit = y.flatMap((v) => p.locs.map((m, k) => {
      const z = (v - m) / p.scales[k]!;
      return -0.5 * z * z - Math.log(p.scales[k]!) - HALF_LOG_2PI;
    }));
    reference += hmmLogLikelihood64({ logInit: p.probsInit.map(Math.log), logTrans: p.probsTrans.flat().map(Math.log), logEmit });
  }
  return Math.abs(seedFloor(obs, p).logLikelihood - reference) / Math.abs(reference);
}
