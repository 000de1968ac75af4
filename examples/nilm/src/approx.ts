/**
 * Approximate MAP disaggregation, linear in the number of appliances. Two
 * stages: a beam Viterbi over the joint state, one appliance changing per
 * minute (beam.ts, T·B·M·K), then iterated conditional modes (ICM): each
 * appliance's chain set to its exact Viterbi path given the others (what the
 * others leave of the mains is, for that chain, the seed tutorial's one-chain
 * HMM: ppl-core/hmm's hmmMostLikelyPath, T·K²) until none changes.
 *
 * Chain-at-a-time methods alone (blocked Gibbs, structured mean field) stall
 * where two smaller appliances together fake a larger one (a washing
 * machine's spin plus a fridge's defrost read like a heater's low setting):
 * every single-chain move out of it makes the fit worse. The beam changes the
 * joint state one appliance at a time too, but keeps 64 alternatives alive.
 */
import { hmmMostLikelyPath } from "ppl-core/hmm";
import { beamViterbi } from "./beam.js";
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
  const M = g.locs.length;
  const T = mains.length;
  const logTrans = g.probsTrans.map((P) => Float64Array.from(P.flat(), Math.log));
  const logInit = probsInit.map((p) => p.map(Math.log));
  const sqScales = g.scales.map((s) => s.map((x) => x * x));
  const states = beamViterbi(mains, probsInit, g, options.beamWidth ?? 64).map((z) => Int32Array.from(z));
  // the sums over appliances of the current levels and variances at each minute
  const mean = new Float64Array(T);
  const variance = new Float64Array(T).fill(g.noise * g.noise);
  const add = (m: number, sign: 1 | -1) => {
    for (let t = 0; t < T; t++) {
      mean[t]! += sign * g.locs[m]![states[m]![t]!]!;
      variance[t]! += sign * sqScales[m]![states[m]![t]!]!;
    }
  };
  for (let m = 0; m < M; m++) add(m, 1);
  /** Appliance m's Viterbi path given the others; whether it changed. */
  const redraw = (m: number): boolean => {
    add(m, -1);
    const K = g.locs[m]!.length;
    const logEmit = new Float64Array(T * K);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) {
        const v = variance[t]! + sqScales[m]![k]!;
        logEmit[t * K + k] = -0.5 * (LOG_2PI + Math.log(v) + (mains[t]! - mean[t]! - g.locs[m]![k]!) ** 2 / v);
      }
    }
    const { path } = hmmMostLikelyPath({ logInit: logInit[m]!, logTrans: logTrans[m]!, logEmit });
    const changed = path.some((z, t) => z !== states[m]![t]);
    states[m]!.set(path);
    add(m, 1);
    return changed;
  };
  let icmPasses = 0;
  for (let changed = true; changed && icmPasses < 50; icmPasses++) {
    changed = false;
    for (let m = 0; m < M; m++) changed = redraw(m) || changed;
  }
  const out = states.map((z) => Array.from(z));
  return { states: out, logJoint: logJoint(mains, probsInit, g, out), icmPasses };
}
