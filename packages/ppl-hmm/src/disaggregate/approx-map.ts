/**
 * The approximate decoder of the factorial HMM, linear in the number of
 * chains (`--inference approx`, and examples/nilm's): a beam Viterbi over the
 * joint state, one chain changing per minute (beam.ts), then iterated
 * conditional modes — each chain in turn set to its exact Viterbi path given
 * the others' current levels (ppl-core's hmmMostLikelyPath, T·K²) — until no
 * chain changes. A local optimum of the joint density, not the MAP.
 *
 * Chain-at-a-time methods alone (ICM from all-off, blocked Gibbs, structured
 * mean field) stall where two smaller chains together fake a larger one: every
 * single-chain move out of it makes the fit worse. The beam changes the joint
 * state one chain at a time too, but keeps B alternatives alive.
 */
import { hmmMostLikelyPath } from "ppl-core";
import { beamViterbi } from "./beam.js";
import { type Chain, METER_NOISE_W } from "./factorial.js";
import { logNormal } from "./gaussian-hmm.js";

/** Options of the approximate decoder. */
export interface ApproxOptions {
  /** How much each minute's reading counts (default 1; factorial.ts). */
  readonly weight?: number;
  /** The meter's own noise sd (default METER_NOISE_W). */
  readonly noise?: number;
  /** Joint states the beam keeps per minute (default 64). */
  readonly beamWidth?: number;
}

/** States [M][T] and the ICM passes run after the beam. */
export interface ApproxPath {
  readonly states: number[][];
  readonly icmPasses: number;
}

/** The beam's path, then ICM to a fixed point (at most 50 passes). */
export function approxMap(mains: ArrayLike<number>, chains: readonly Chain[], o: ApproxOptions = {}): ApproxPath {
  const weight = o.weight ?? 1;
  const noise = o.noise ?? METER_NOISE_W;
  const M = chains.length;
  const T = mains.length;
  const sq = chains.map((c) => c.scales.map((x) => x * x));
  const logInit = chains.map((c) => c.init.map(Math.log));
  const logTrans = chains.map((c) => c.trans.flat().map(Math.log));
  const states = beamViterbi(mains, chains, o.beamWidth ?? 64, weight, noise).map((z) => Int32Array.from(z));
  // the sums over chains of the current levels and variances at each minute
  const mean = new Float64Array(T);
  const variance = new Float64Array(T).fill(noise * noise);
  const add = (m: number, sign: 1 | -1) => {
    for (let t = 0; t < T; t++) {
      mean[t]! += sign * chains[m]!.locs[states[m]![t]!]!;
      variance[t]! += sign * sq[m]![states[m]![t]!]!;
    }
  };
  for (let m = 0; m < M; m++) add(m, 1);
  /** Chain m's Viterbi path given the others; whether it changed. */
  const redraw = (m: number): boolean => {
    add(m, -1);
    const c = chains[m]!;
    const K = c.locs.length;
    const logEmit = new Float64Array(T * K);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) logEmit[t * K + k] = weight * logNormal(mains[t]! - mean[t]!, c.locs[k]!, Math.sqrt(variance[t]! + sq[m]![k]!));
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
  return { states: states.map((z) => Array.from(z)), icmPasses };
}
