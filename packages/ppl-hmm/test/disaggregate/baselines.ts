/**
 * The classical baselines the house command is measured against, written
 * here as references (plain float64, nothing of the command's decoding):
 *
 * - CO, combinatorial optimisation (Hart 1992) as NILMTK's
 *   nilmtk/disaggregate/combinatorial_optimisation.py does it: each
 *   appliance's states are k-means centres of its training series (at most
 *   3), and every minute takes the combination of states whose sum is
 *   nearest the mains.
 * - FHMM, the exact factorial HMM of Kolter & Johnson (2011) as NILMTK's
 *   nilmtk/disaggregate/fhmm_exact.py does it: a Gaussian HMM per appliance
 *   learned by EM (states sorted by level), combined into one HMM over the
 *   product state (Kronecker product of the transitions, means the sums of
 *   the levels, every covariance 5 W²) and decoded by Viterbi over that
 *   product state; the unmetered rest added as one more "appliance": a single
 *   Gaussian (its mean; its variance added to every state's), or a 3-state HMM
 *   learned by EM like the others.
 */
import { type GaussianHmm, fitGaussianHmm, logNormal } from "../../src/disaggregate/gaussian-hmm.js";
import { kmeans1d } from "../../src/fit/init.js";

/** K ascending k-means centres of y, Lloyd's iterations from the quantiles (k + ½)/K. */
function kMeans(y: ArrayLike<number>, K: number): number[] {
  const sorted = Float64Array.from(y).sort();
  const start = Array.from({ length: K }, (_, k) => sorted[Math.min(sorted.length - 1, Math.floor(((k + 0.5) / K) * sorted.length))]!);
  return kmeans1d(sorted, start).centres;
}

/** NILMTK's cluster(): at most 3 k-means states, fewer when two centres fall within 10 W. */
function states(y: ArrayLike<number>): number[] {
  for (let K = 3; K > 1; K--) {
    const c = kMeans(y, K);
    if (c.every((x, i) => i === 0 || x - c[i - 1]! > 10)) return c;
  }
  return kMeans(y, 1);
}

/** CO: [M][T] estimated power. */
export function combinatorialOptimisation(train: readonly (readonly number[])[], mains: readonly number[]): number[][] {
  const centres = train.map(states);
  const sizes = centres.map((c) => c.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const combos = Array.from({ length: S }, (_, s) => {
    let r = s;
    return sizes.map((K) => {
      const k = r % K;
      r = Math.floor(r / K);
      return k;
    });
  });
  const sums = combos.map((ks) => ks.reduce((a, k, m) => a + centres[m]![k]!, 0));
  const out = train.map(() => new Array<number>(mains.length).fill(0));
  mains.forEach((y, t) => {
    let best = 0;
    for (let s = 1; s < S; s++) if (Math.abs(sums[s]! - y) < Math.abs(sums[best]! - y)) best = s;
    combos[best]!.forEach((k, m) => (out[m]![t] = centres[m]![k]!));
  });
  return out;
}

/** How the FHMM baseline models the unmetered rest. */
export type ResidualModel = "gaussian" | "hmm3";

/** FHMM: [M][T] estimated power of the appliances (the residual's chain is decoded but not returned). */
export function fhmmExact(train: readonly (readonly number[])[], residual: readonly number[], mains: readonly number[], residualModel: ResidualModel): number[][] {
  const chains: GaussianHmm[] = train.map((y) => fitGaussianHmm(y, states(y).length));
  let extraVar = 0;
  if (residualModel === "gaussian") {
    const mu = residual.reduce((a, b) => a + b, 0) / residual.length;
    extraVar = residual.reduce((a, r) => a + (r - mu) ** 2, 0) / residual.length;
    chains.push({ init: [1], trans: [[1]], locs: [mu], scales: [0], logLik: 0 });
  } else {
    chains.push(fitGaussianHmm(residual, 3));
  }
  const path = productViterbi(chains, mains, Math.sqrt(5 + extraVar));
  return train.map((_, m) => path.map((ks) => chains[m]!.locs[ks[m]!]!));
}

/** Viterbi over the product state with the Kronecker-product transition matrix (S² per step), every state's spread `sd`. */
function productViterbi(chains: readonly GaussianHmm[], y: readonly number[], sd: number): number[][] {
  const sizes = chains.map((c) => c.locs.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const combo = (s: number) => {
    const ks = new Array<number>(sizes.length);
    for (let m = sizes.length - 1; m >= 0; m--) {
      ks[m] = s % sizes[m]!;
      s = Math.floor(s / sizes[m]!);
    }
    return ks;
  };
  const combos = Array.from({ length: S }, (_, s) => combo(s));
  const mean = combos.map((ks) => ks.reduce((a, k, m) => a + chains[m]!.locs[k]!, 0));
  const logA = new Float64Array(S * S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) logA[i * S + j] = combos[i]!.reduce((a, k, m) => a + Math.log(chains[m]!.trans[k]![combos[j]![m]!]!), 0);
  const T = y.length;
  const from = new Int32Array(T * S);
  let score = Float64Array.from(combos, (ks, s) => ks.reduce((a, k, m) => a + Math.log(chains[m]!.init[k]!), 0) + logNormal(y[0]!, mean[s]!, sd));
  for (let t = 1; t < T; t++) {
    const next = new Float64Array(S);
    for (let j = 0; j < S; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < S; i++) {
        const v = score[i]! + logA[i * S + j]!;
        if (v > best) [best, arg] = [v, i];
      }
      next[j] = best + logNormal(y[t]!, mean[j]!, sd);
      from[t * S + j] = arg;
    }
    score = next;
  }
  let s = 0;
  for (let k = 1; k < S; k++) if (score[k]! > score[s]!) s = k;
  const path = new Array<number[]>(T);
  for (let t = T - 1; t >= 0; t--) {
    path[t] = combos[s]!;
    s = from[t * S + s]!;
  }
  return path;
}
