/**
 * Exact inference in the household's factorial HMM (every appliance's chain
 * and the unmetered rest's chain; the mains read their levels' sum, spread
 * by their spreads): the model's factors in float64, eliminated by one pass
 * of ppl-core's factorial kernel — the step the planner takes for the same
 * model written as a markov loop (model.ts) under inferDiscrete. Gives the
 * joint MAP path and each chain's posterior marginals.
 */
import { chainLayout, chainViterbi, factorialForward, factorialLayout, factorialPosteriors, factorialViterbi } from "ppl-core/internal";
import { type GaussianHmm, logNormal } from "./gaussian-hmm.js";


/** The meter's own noise, W: the chains' spreads carry the rest (the residual chain absorbs what the sub-meters miss). */
export const METER_NOISE_W = 1;

/** The factorial model's terms: the emission on the product state [1, T, S] and each chain's log transitions [1, 1, K, K]. */
export function factorialTerms(mains: ArrayLike<number>, chains: readonly GaussianHmm[], noise = METER_NOISE_W) {
  const sizes = chains.map((c) => c.locs.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const T = mains.length;
  const L = factorialLayout([1, T, S], sizes.map((K) => [1, 1, K, K]), "factorialTerms");
  const mean = new Float64Array(S);
  const sd = new Float64Array(S);
  const start = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let v = noise ** 2;
    chains.forEach((c, m) => {
      const k = Math.floor(s / L.strides[m]!) % sizes[m]!;
      mean[s]! += c.locs[k]!;
      v += c.scales[k]! ** 2;
      start[s]! += Math.log(c.init[k]!);
    });
    sd[s] = Math.sqrt(v);
  }
  const unary = new Float64Array(T * S);
  for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) unary[t * S + s] = logNormal(mains[t]!, mean[s]!, sd[s]!) + (t === 0 ? start[s]! : 0);
  const pairs = chains.map((c) => Float64Array.from(c.trans.flat(), Math.log));
  return { L, unary, pairs };
}

/** Per chain, p(z_m,t = k | mains) as [T][K] (the product state's marginals summed per chain), and log p(mains). */
export function factorialMarginals(mains: ArrayLike<number>, chains: readonly GaussianHmm[]): { marginals: number[][][]; logLik: number } {
  const { L, unary, pairs } = factorialTerms(mains, chains);
  const sw = factorialForward(L, unary, pairs);
  if (!Number.isFinite(sw.logZ[0]!)) throw new Error("factorialMarginals: the mains have probability 0 under every joint path");
  const post = factorialPosteriors(sw, [1]);
  const { n: T, S, sizes, strides } = L;
  const marginals = sizes.map((K) => Array.from({ length: T }, () => new Array<number>(K).fill(0)));
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const p = post.unary[t * S + s]!;
      if (p === 0) continue;
      for (let m = 0; m < sizes.length; m++) marginals[m]![t]![Math.floor(s / strides[m]!) % sizes[m]!]! += p;
    }
  }
  return { marginals, logLik: sw.logZ[0]! };
}

/** The joint MAP path: states [M][T], one row per chain. */
export function factorialMap(mains: ArrayLike<number>, chains: readonly GaussianHmm[], noise = METER_NOISE_W): number[][] {
  const { L, unary, pairs } = factorialTerms(mains, chains, noise);
  const { paths } = factorialViterbi(L, unary, pairs);
  return L.sizes.map((K, m) => Array.from(paths, (s) => Math.floor(s / L.strides[m]!) % K));
}


/**
 * The approximate decoder, linear in the number of chains: iterated
 * conditional modes, each chain in turn set to its exact Viterbi path given
 * the others' current levels (one pass of ppl-core's one-chain kernel, T·K²),
 * from every chain at its lowest state, until no chain changes (at most
 * `sweeps` rounds). A local optimum of the joint density, not the MAP.
 */
export function icmMap(mains: ArrayLike<number>, chains: readonly GaussianHmm[], sweeps = 20, noise = METER_NOISE_W): number[][] {
  const T = mains.length;
  const states = chains.map(() => new Array<number>(T).fill(0));
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let changed = false;
    // the unmetered rest first: from all-off, the appliances would otherwise take the whole mains
    for (const m of chains.map((_, j) => chains.length - 1 - j)) {
      const c = chains[m]!;
      const K = c.locs.length;
      const unary = new Float64Array(T * K);
      for (let t = 0; t < T; t++) {
        let rest = 0;
        let v = noise ** 2;
        chains.forEach((o, j) => {
          if (j === m) return;
          rest += o.locs[states[j]![t]!]!;
          v += o.scales[states[j]![t]!]! ** 2;
        });
        for (let k = 0; k < K; k++) unary[t * K + k] = logNormal(mains[t]! - rest, c.locs[k]!, Math.sqrt(v + c.scales[k]! ** 2)) + (t === 0 ? Math.log(c.init[k]!) : 0);
      }
      const pair = Float64Array.from(c.trans.flat(), Math.log);
      const { paths } = chainViterbi(chainLayout([1, T, K], [1, 1, K, K], "icmMap"), unary, pair);
      for (let t = 0; t < T; t++) {
        if (paths[t] !== states[m]![t]) changed = true;
        states[m]![t] = paths[t]!;
      }
    }
    if (!changed) break;
  }
  return states;
}
