/**
 * One appliance's (or the unmetered rest's) Gaussian HMM, learned from its
 * own series in float64: levels started at 1-D k-means centres, then
 * Baum–Welch, each E-step one forward–backward pass of ppl-core's chain
 * kernel (hmmForwardBackward: the state marginals and expected transition
 * counts). The number of states is given or chosen by BIC.
 */
import { hmmForwardBackward } from "ppl-core";

/** A learned Gaussian HMM: state 0 is the lowest level. */
export interface GaussianHmm {
  /** [K] start distribution. */
  readonly init: readonly number[];
  /** [K][K] transition rows. */
  readonly trans: readonly (readonly number[])[];
  /** [K] levels and within-state spreads, W. */
  readonly locs: readonly number[];
  readonly scales: readonly number[];
  /** log p(series) under the learned model. */
  readonly logLik: number;
}

/** Options of the fit. */
export interface FitOptions {
  /** Baum–Welch iterations (default 40). */
  readonly iterations?: number;
  /** The smallest within-state spread, W (default 3): sub-meters repeat whole watts, a state's spread would collapse to 0. */
  readonly minScale?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(y; m, s). */
export const logNormal = (y: number, m: number, s: number): number => -0.5 * LOG_2PI - Math.log(s) - 0.5 * ((y - m) / s) ** 2;

/** 1-D k-means (Lloyd) from the series' quantiles: K ascending centres. */
export function kMeans1d(y: ArrayLike<number>, K: number, iterations = 50): number[] {
  const sorted = Float64Array.from(y).sort();
  const n = sorted.length;
  let c = Array.from({ length: K }, (_, k) => sorted[Math.min(n - 1, Math.floor(((k + 0.5) / K) * n))]!);
  for (let it = 0; it < iterations; it++) {
    const sum = new Float64Array(K);
    const cnt = new Float64Array(K);
    // sorted input: each cluster is a contiguous run; boundaries at midpoints
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = sorted[i]!;
      while (k < K - 1 && v > (c[k]! + c[k + 1]!) / 2) k++;
      sum[k]! += v;
      cnt[k]!++;
    }
    const next = c.map((x, j) => (cnt[j]! > 0 ? sum[j]! / cnt[j]! : x));
    if (next.every((x, j) => x === c[j])) break;
    c = next;
  }
  return c.sort((a, b) => a - b);
}

/** Baum–Welch for K states on the series y. */
export function fitGaussianHmm(y: ArrayLike<number>, K: number, o: FitOptions = {}): GaussianHmm {
  const n = y.length;
  const minScale = o.minScale ?? 3;
  const locs = kMeans1d(y, K);
  const scales = locs.map(() => 0);
  // spreads and transitions from the k-means labelling
  const label = (v: number) => locs.reduce((best, l, k) => (Math.abs(v - l) < Math.abs(v - locs[best]!) ? k : best), 0);
  const counts = Array.from({ length: K }, () => new Array<number>(K).fill(1));
  const ss = new Float64Array(K);
  const cnt = new Float64Array(K);
  let prev = label(y[0]!);
  for (let t = 0; t < n; t++) {
    const k = label(y[t]!);
    ss[k]! += (y[t]! - locs[k]!) ** 2;
    cnt[k]!++;
    if (t > 0) counts[prev]![k]!++;
    prev = k;
  }
  for (let k = 0; k < K; k++) scales[k] = Math.max(minScale, Math.sqrt(ss[k]! / Math.max(1, cnt[k]!)));
  let trans = counts.map((row) => row.map((c) => c / row.reduce((a, b) => a + b, 0)));
  let init = new Array<number>(K).fill(1 / K);
  const emit = new Float64Array(n * K);
  let logLik = -Infinity;
  for (let it = 0; it < (o.iterations ?? 40); it++) {
    for (let t = 0; t < n; t++) for (let k = 0; k < K; k++) emit[t * K + k] = logNormal(y[t]!, locs[k]!, scales[k]!);
    const post = hmmForwardBackward({ logInit: init.map(Math.log), logTrans: trans.flat().map(Math.log), logEmit: emit });
    logLik = post.logLikelihood;
    const gamma = post.marginals;
    for (let k = 0; k < K; k++) {
      let w = 0;
      let s1 = 0;
      for (let t = 0; t < n; t++) {
        const g = gamma[t * K + k]!;
        w += g;
        s1 += g * y[t]!;
      }
      if (w < 1e-9) continue;
      const m = s1 / w;
      let s2 = 0;
      for (let t = 0; t < n; t++) s2 += gamma[t * K + k]! * (y[t]! - m) ** 2;
      locs[k] = m;
      scales[k] = Math.max(minScale, Math.sqrt(s2 / w));
    }
    // a pseudo-count of one transition per entry: a move unseen in training stays possible
    trans = Array.from({ length: K }, (_, i) => {
      const row = Array.from({ length: K }, (_, j) => post.transitionCounts[i * K + j]! + 1e-3);
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((x) => x / s);
    });
    init = Array.from({ length: K }, (_, k) => Math.max(1e-6, gamma[k]!));
    const s0 = init.reduce((a, b) => a + b, 0);
    init = init.map((x) => x / s0);
  }
  // state 0 the lowest level (EM keeps k-means' order almost always; sort to be sure)
  const order = locs.map((_, k) => k).sort((a, b) => locs[a]! - locs[b]!);
  return {
    init: order.map((k) => init[k]!),
    trans: order.map((i) => order.map((j) => trans[i]![j]!)),
    locs: order.map((k) => locs[k]!),
    scales: order.map((k) => scales[k]!),
    logLik,
  };
}

/** BIC of a fit on n points: -2 log L + (free parameters) log n. */
export function bic(h: GaussianHmm, n: number): number {
  const K = h.locs.length;
  return -2 * h.logLik + (K * (K - 1) + (K - 1) + 2 * K) * Math.log(n);
}

/** The fit with the lowest BIC among K = 2..maxStates. */
export function fitByBic(y: ArrayLike<number>, maxStates: number, o: FitOptions = {}): GaussianHmm {
  let best: GaussianHmm | undefined;
  let bestScore = Infinity;
  for (let K = 2; K <= maxStates; K++) {
    const h = fitGaussianHmm(y, K, o);
    const score = bic(h, y.length);
    if (score < bestScore) [best, bestScore] = [h, score];
  }
  return best!;
}
