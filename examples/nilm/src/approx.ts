/**
 * Approximate MAP disaggregation, linear in the number of appliances. Two
 * stages: a starting point, then iterated conditional modes (ICM): each
 * appliance's chain set to its exact Viterbi path given the others (what the
 * others leave of the mains is, for that chain, the seed tutorial's one-chain
 * HMM; one pass of ppl-core's float64 chain kernel, T·K²) until none changes.
 *
 * The starting point (`method`):
 *   - "beam" (default): beam Viterbi over the joint state, one appliance changing per minute (beam.ts), T·B·M·K;
 *   - "gibbs": annealed blocked Gibbs, each chain redrawn whole by forward filtering, backward sampling given the
 *     others, keeping the most probable joint state visited;
 *   - "meanField": annealed structured mean-field (Ghahramani & Jordan 1997), each chain's posterior an HMM updated
 *     by forward–backward against the others' expected residual.
 * The chain-at-a-time methods stall where two smaller appliances together fake a larger one (a washing machine's
 * spin plus a fridge's defrost read like a heater's low setting): every single-chain move out of it makes the fit
 * worse. The beam changes the joint state one appliance at a time too, but keeps 64 alternatives alive.
 */
import { hashSeed, makeRng } from "ppl-core";
import { chainForward, chainLayout, chainPosteriors, chainSample, chainViterbi } from "ppl-core/internal";
import { beamViterbi } from "./beam.js";
import type { Globals } from "./model.js";

/** Options of the approximate decoder. */
export interface ApproxOptions {
  /** Gibbs or mean-field sweeps over all appliances (default 40; the beam ignores it). */
  readonly sweeps?: number;
  /** Seed of the sampler (default 0). */
  readonly seed?: number;
  /** The largest extra meter variance of the annealing schedule, kW² (default 1). */
  readonly anneal?: number;
  /** The starting point before ICM: "beam" (default), "gibbs" or "meanField" (see the file comment). */
  readonly method?: "beam" | "meanField" | "gibbs";
  /** Joint states the beam keeps per minute (default 64). */
  readonly beamWidth?: number;
}

/** The result: states [M][T], the joint log-density of the returned states, and how it was reached. */
export interface ApproxResult {
  readonly states: number[][];
  readonly logJoint: number;
  readonly sweeps: number;
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

/** Annealing: the extra meter variance (kW²) at sweep s of n, from `top` down to 0 at the last sweep. */
function extraVariance(s: number, n: number, top: number): number {
  return s >= n - 1 ? 0 : top * Math.pow(1e-4, s / Math.max(1, n - 1));
}

/**
 * The decoder: annealed structured mean-field or blocked Gibbs, then ICM.
 *
 * @param mains [T] kW
 * @param probsInit [M][K] each appliance's start distribution
 * @param g the learned globals ([M][K][K] transitions, [M][K] levels and spreads, the meter noise)
 * @example
 * const { states } = approxMap(day.mains, prior.appliances.map((a) => a.probsInit), learned, { sweeps: 40, seed: 0 });
 */
export function approxMap(mains: readonly number[], probsInit: readonly (readonly number[])[], g: Globals, options: ApproxOptions = {}): ApproxResult {
  const sweeps = options.sweeps ?? 40;
  const top = options.anneal ?? 1;
  const method = options.method ?? "beam";
  const rng = makeRng(hashSeed("nilm/gibbs", options.seed ?? 0));
  const M = g.locs.length;
  const T = mains.length;
  const K = g.locs[0]!.length;
  const layout = chainLayout([1, T, K], [1, 1, K, K], "nilm approxMap");
  const logTrans = g.probsTrans.map((P) => Float64Array.from(P.flat(), Math.log));
  const logInit = probsInit.map((p) => p.map(Math.log));
  const sqScales = g.scales.map((s) => s.map((x) => x * x));
  // every appliance's (expected) level and variance at each minute, and their sums over appliances
  const level = Array.from({ length: M }, () => new Float64Array(T));
  const spread = Array.from({ length: M }, () => new Float64Array(T).fill(sqScales[0]![0]!));
  level.forEach((_, m) => spread[m]!.fill(sqScales[m]![0]!));
  const mean = new Float64Array(T);
  const variance = new Float64Array(T).fill(g.noise * g.noise);
  for (let m = 0; m < M; m++) for (let t = 0; t < T; t++) variance[t]! += spread[m]![t]!;
  const states = Array.from({ length: M }, () => new Int32Array(T));
  const unary = new Float64Array(T * K);
  let extra = 0;

  /** Take appliance m out of the sums, and fill `unary` with its one-chain HMM's factors against the rest. */
  const isolate = (m: number) => {
    const locs = g.locs[m]!;
    for (let t = 0; t < T; t++) {
      mean[t]! -= level[m]![t]!;
      variance[t]! -= spread[m]![t]!;
      for (let k = 0; k < K; k++) {
        const v = variance[t]! + extra + sqScales[m]![k]!;
        unary[t * K + k] = -0.5 * (LOG_2PI + Math.log(v) + (mains[t]! - mean[t]! - locs[k]!) ** 2 / v);
      }
    }
    for (let k = 0; k < K; k++) unary[k]! += logInit[m]![k]!;
  };
  const restore = (m: number) => {
    for (let t = 0; t < T; t++) {
      mean[t]! += level[m]![t]!;
      variance[t]! += spread[m]![t]!;
    }
  };
  const setHard = (m: number) => {
    const z = states[m]!;
    for (let t = 0; t < T; t++) {
      level[m]![t] = g.locs[m]![z[t]!]!;
      spread[m]![t] = sqScales[m]![z[t]!]!;
    }
  };
  const redraw = (m: number, how: "sample" | "max"): boolean => {
    isolate(m);
    const before = states[m]!.slice();
    if (how === "sample") chainSample(chainForward(layout, unary, logTrans[m]!), 0, rng, states[m]!, 0);
    else states[m]!.set(chainViterbi(layout, unary, logTrans[m]!).paths);
    setHard(m);
    restore(m);
    return states[m]!.some((z, t) => z !== before[t]);
  };
  const meanFieldUpdate = (m: number) => {
    isolate(m);
    // p(z_m,t | the others' expected rest): ppl-core's chain kernel, forward then the posterior pass
    const gamma = chainPosteriors(chainForward(layout, unary, logTrans[m]!), [1]).unary;
    for (let t = 0; t < T; t++) {
      let l = 0;
      let v = 0;
      let best = 0;
      for (let k = 0; k < K; k++) {
        const p = gamma[t * K + k]!;
        l += p * g.locs[m]![k]!;
        v += p * sqScales[m]![k]!;
        if (p > gamma[t * K + best]!) best = k;
      }
      level[m]![t] = l;
      spread[m]![t] = v;
      states[m]![t] = best;
    }
    restore(m);
  };
  const score = () => logJoint(mains, probsInit, g, states.map((z) => Array.from(z)));

  // the appliances that use most energy on average go first: they claim the big steps of the mains before smaller ones can combine to fake them
  const meanPower = probsInit.map((pi, m) => pi.reduce((a, p, k) => a + p * g.locs[m]![k]!, 0));
  const order = Array.from({ length: M }, (_, m) => m).sort((a, b) => meanPower[b]! - meanPower[a]!);
  let best = states.map((z) => z.slice());
  let bestScore = -Infinity;
  if (method === "beam") {
    beamViterbi(mains, probsInit, g, options.beamWidth ?? 64).forEach((z, m) => states[m]!.set(z));
  } else
  for (let s = 0; s < sweeps; s++) {
    extra = extraVariance(s, sweeps, top);
    for (const m of order) {
      if (method === "gibbs") redraw(m, "sample");
      else meanFieldUpdate(m);
    }
    if (method === "gibbs" && s >= sweeps * 0.7) {
      const lp = score();
      if (lp > bestScore) {
        bestScore = lp;
        best = states.map((z) => z.slice());
      }
    }
  }
  extra = 0;
  // from the best visited (Gibbs) or most probable (mean field) states, coordinate ascent to a fixed point
  if (method === "gibbs") for (let m = 0; m < M; m++) states[m]!.set(best[m]!);
  mean.fill(0);
  variance.fill(g.noise * g.noise);
  for (let m = 0; m < M; m++) {
    setHard(m);
    restore(m);
  }
  let icmPasses = 0;
  for (let changed = true; changed && icmPasses < 50; icmPasses++) {
    changed = false;
    for (let m = 0; m < M; m++) changed = redraw(m, "max") || changed;
  }
  const out = states.map((z) => Array.from(z));
  return { states: out, logJoint: logJoint(mains, probsInit, g, out), sweeps, icmPasses };
}
