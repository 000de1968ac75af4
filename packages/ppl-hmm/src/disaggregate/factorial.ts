/**
 * Inference in the household's factorial HMM (every appliance's chain and
 * the unmetered rest's chain; the mains read their levels' sum, spread by
 * their spreads): the model's factors in float64, eliminated by one pass of
 * ppl-core's factorial kernel — the step the planner takes for the same model
 * written as a markov loop (examples/nilm's model.ts) under inferDiscrete.
 * Gives the joint MAP path, or each chain's most probable state at every
 * minute (its posterior marginals' mode).
 *
 * Each minute's meter reading may count `weight` ≤ 1 times (a power
 * likelihood: its log-density scaled, as poutine.scale scales an observed
 * site): on a real house, mains − Σ levels is not independent from minute to
 * minute (the unmetered rest drifts within a state), so counting every minute
 * fully makes the posterior trust each small mismatch as evidence that an
 * appliance switched.
 */
import { type FactorialHmmArrays, factorialHmmMarginals, factorialHmmMostLikelyPath } from "ppl-core";
import { DataError } from "../errors.js";
import { type GaussianHmm, logNormal } from "./gaussian-hmm.js";

/** One chain of the factorial model: a Gaussian HMM's start, transitions, levels and spreads (however it was learned). */
export type Chain = Pick<GaussianHmm, "init" | "trans" | "locs" | "scales">;

/** The largest product state exact inference takes (T·S floats of emissions; beyond it, the approximate decoder). */
export const MAX_EXACT_STATES = 50_000;

/** Refuses exact inference over chains of these sizes when their product state is over MAX_EXACT_STATES (call it before learning). */
export function checkExactStates(sizes: readonly number[]): void {
  const S = sizes.reduce((a, b) => a * b, 1);
  if (S > MAX_EXACT_STATES) {
    throw new DataError(
      `exact inference over ${S} joint states (the product of the chains' states, ${sizes.join(" × ")}) is over ${MAX_EXACT_STATES}: ` +
        "use the approximate inference (linear in the number of chains), fewer states per chain, or fewer appliances",
    );
  }
}

/** The meter's own noise, W: the chains' spreads carry the rest (the residual chain absorbs what the sub-meters miss). */
export const METER_NOISE_W = 1;

/**
 * The factorial model as plain arrays: the emission log-density of every
 * minute under every joint state (the chains' levels summed, their variances
 * summed with the meter's) times `weight`, each chain's log start and log
 * transitions.
 */
export function factorialArrays(mains: ArrayLike<number>, chains: readonly Chain[], weight = 1, noise = METER_NOISE_W): FactorialHmmArrays {
  const sizes = chains.map((c) => c.locs.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const strides = sizes.map((_, m) => sizes.slice(m + 1).reduce((a, b) => a * b, 1));
  const T = mains.length;
  const mean = new Float64Array(S);
  const sd = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let v = noise ** 2;
    chains.forEach((c, m) => {
      const k = Math.floor(s / strides[m]!) % sizes[m]!;
      mean[s]! += c.locs[k]!;
      v += c.scales[k]! ** 2;
    });
    sd[s] = Math.sqrt(v);
  }
  // logNormal(y, mean, sd) as c_s − (y − mean)² · h_s with each state's c_s = log N(mean; mean, sd) and
  // h_s = 1 / (2 sd²) found once: no log per minute and state
  const c = sd.map((v, s) => logNormal(mean[s]!, mean[s]!, v));
  const h = sd.map((v) => 1 / (2 * v * v));
  const logEmit = new Float64Array(T * S);
  for (let t = 0; t < T; t++) {
    const y = mains[t]!;
    for (let s = 0; s < S; s++) {
      const d = y - mean[s]!;
      logEmit[t * S + s] = weight * (c[s]! - d * d * h[s]!);
    }
  }
  return { logInit: chains.map((c) => c.init.map(Math.log)), logTrans: chains.map((c) => c.trans.flat().map(Math.log)), logEmit };
}

/** The joint MAP path: states [M][T], one row per chain (ppl-core's factorial kernel). */
export function factorialMap(mains: ArrayLike<number>, chains: readonly Chain[], weight = 1, noise = METER_NOISE_W): number[][] {
  checkExactStates(chains.map((c) => c.locs.length));
  return factorialHmmMostLikelyPath(factorialArrays(mains, chains, weight, noise)).paths.map((p) => Array.from(p));
}

/**
 * Each chain's most probable state at every minute given all the mains,
 * states [M][T] (ppl-core's factorial kernel, forward–backward): what
 * minimises the expected number of minutes a chain is decoded wrongly, the
 * count F1 and TECA score; the joint MAP path can instead follow one
 * explanation of an ambiguous stretch that is only slightly more probable
 * than the others put together.
 */
export function factorialMarginalModes(mains: ArrayLike<number>, chains: readonly Chain[], weight = 1, noise = METER_NOISE_W): number[][] {
  checkExactStates(chains.map((c) => c.locs.length));
  const { marginals } = factorialHmmMarginals(factorialArrays(mains, chains, weight, noise));
  return marginals.map((p, m) => {
    const K = chains[m]!.locs.length;
    return Array.from({ length: p.length / K }, (_, t) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (p[t * K + k]! > p[t * K + best]!) best = k;
      return best;
    });
  });
}
