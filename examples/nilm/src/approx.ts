/**
 * Approximate MAP disaggregation, linear in the number of appliances:
 * ppl-hmm's approxMap, the decoder `ppl-hmm disaggregate --inference approx`
 * runs — a beam Viterbi over the joint state, one appliance changing per
 * minute, then iterated conditional modes, each appliance's chain set to its
 * exact Viterbi path given the others (ppl-core's hmmMostLikelyPath) until
 * none changes.
 */
import { approxMap as decode } from "ppl-hmm";
import { chainsOf } from "./exact.js";
import type { Globals } from "./model.js";

/** Options of the approximate decoder. */
export interface ApproxOptions {
  /** Joint states the beam keeps per minute (default 64). */
  readonly beamWidth?: number;
}

/** The result: states [M][T], the joint log-density of the returned states, and the ICM passes run. */
export interface ApproxResult {
  readonly states: number[][];
  readonly logJoint: number;
  readonly icmPasses: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log p(states, mains | globals) in float64: the chains' start and transition
 * terms plus the meter's Gaussian, the same density the factorial model scores.
 */
export function logJoint(mains: readonly number[], probsInit: readonly (readonly number[])[], g: Globals, states: readonly (readonly number[])[]): number {
  const M = states.length;
  const T = mains.length;
  let lp = 0;
  for (let m = 0; m < M; m++) {
    const z = states[m]!;
    lp += Math.log(probsInit[m]![z[0]!]!);
    for (let t = 1; t < T; t++) lp += Math.log(g.probsTrans[m]![z[t - 1]!]![z[t]!]!);
  }
  for (let t = 0; t < T; t++) {
    let mean = 0;
    let variance = g.noise * g.noise;
    for (let m = 0; m < M; m++) {
      const k = states[m]![t]!;
      mean += g.locs[m]![k]!;
      variance += g.scales[m]![k]! ** 2;
    }
    lp += -0.5 * (LOG_2PI + Math.log(variance) + (mains[t]! - mean) ** 2 / variance);
  }
  return lp;
}

/**
 * The decoder: the beam's path, then ICM to a fixed point.
 *
 * @param mains [T] kW
 * @param probsInit [M][K] each appliance's start distribution
 * @param g the learned globals ([M][K][K] transitions, [M][K] levels and spreads, the meter noise)
 * @example
 * const { states } = approxMap(day.mains, prior.appliances.map((a) => a.probsInit), learned);
 */
export function approxMap(mains: readonly number[], probsInit: readonly (readonly number[])[], g: Globals, options: ApproxOptions = {}): ApproxResult {
  const { states, icmPasses } = decode(mains, chainsOf(probsInit, g), { noise: g.noise, ...(options.beamWidth === undefined ? {} : { beamWidth: options.beamWidth }) });
  return { states, logJoint: logJoint(mains, probsInit, g, states), icmPasses };
}
