/**
 * A warm start for the SVI fit: a few Baum–Welch (EM) iterations from the
 * k-means / mixture start, maximum likelihood with the sd floor, no priors.
 * Adam then needs tens of steps instead of hundreds (each step on a long
 * sequence costs a forward and a backward pass of the chain either way).
 * The E-step is ppl-core's hmmForwardBackward (float64, exact).
 */
import { hmmForwardBackward } from "ppl-core";
import { gaussianLogEmissions } from "../emission.js";
import type { PlainParams } from "../params.js";

/** Posterior state marginals γ [T, K] and expected transition counts Σ_t ξ_t [K, K] of one sequence. */
function posteriors(y: Float64Array, p: PlainParams, sds: readonly number[]): { gamma: Float64Array; xi: Float64Array } {
  const fb = hmmForwardBackward({
    logInit: p.probsInit.map(Math.log),
    logTrans: p.probsTrans.flat().map(Math.log),
    logEmit: gaussianLogEmissions(y, p.locs, sds),
  });
  return { gamma: fb.marginals, xi: fb.transitionCounts };
}

/**
 * `iterations` EM steps on standardised sequences from `p` (whose `scales`
 * are the model's site: emission sd √(scale² + floor²)); returns the same kind of params.
 */
export function emWarmStart(seqs: readonly Float64Array[], p0: PlainParams, sdFloor: number, iterations: number): PlainParams {
  const K = p0.locs.length;
  let p = p0;
  const inside = (row: number[]) => {
    // a probability of exactly 0 has no unconstrained value: keep every entry inside the simplex
    const r = row.map((x) => Math.max(x, 0) + 1e-6);
    const z = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / z);
  };
  for (let it = 0; it < iterations; it++) {
    const sds = p.scales.map((c) => Math.sqrt(c * c + sdFloor * sdFloor));
    const start = new Array<number>(K).fill(0);
    const trans = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const w = new Array<number>(K).fill(0);
    const wy = new Array<number>(K).fill(0);
    const wyy = new Array<number>(K).fill(0);
    for (const y of seqs) {
      if (y.length < 2) continue;
      const { gamma, xi } = posteriors(y, p, sds);
      for (let k = 0; k < K; k++) start[k]! += gamma[k]!;
      for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) trans[i]![j]! += xi[i * K + j]!;
      for (let t = 0; t < y.length; t++) {
        for (let k = 0; k < K; k++) {
          const g = gamma[t * K + k]!;
          w[k]! += g;
          wy[k]! += g * y[t]!;
          wyy[k]! += g * y[t]! * y[t]!;
        }
      }
    }
    const locs = p.locs.map((m, k) => (w[k]! > 1e-9 ? wy[k]! / w[k]! : m));
    const scales = p.scales.map((c, k) => {
      if (w[k]! <= 1e-9) return c;
      const v = Math.max(wyy[k]! / w[k]! - locs[k]! ** 2, 0);
      return Math.max(Math.sqrt(Math.max(v - sdFloor * sdFloor, 0)), 0.1 * Math.max(sdFloor, 1e-3));
    });
    p = { probsInit: inside(start), probsTrans: trans.map(inside), locs, scales };
  }
  return p;
}
