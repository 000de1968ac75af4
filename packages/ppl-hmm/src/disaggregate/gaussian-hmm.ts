/**
 * One appliance's (or the unmetered rest's) Gaussian HMM, learned from its
 * own series by ppl-hmm's own fit (fit/fit.ts, the `ppl-hmm fit` command's
 * computation): the MAP of the ppl model in fit/model.ts — flat Dirichlet
 * priors on the probabilities, a broad Normal on the levels, a LogNormal on
 * the spreads, each spread floored — by its float64 EM (fit/map-em.ts, whose
 * E-step is ppl-core's chain kernel), from k-means starts with restarts. The
 * number of states is given or chosen by BIC.
 */
import { DataError } from "../errors.js";
import { defaultOptions } from "../fit/option-table.js";
import { fitSignal } from "../fit/fit.js";
import { checkData } from "../fit/prep.js";

/** A learned Gaussian HMM: state 0 is the lowest level. */
export interface GaussianHmm {
  /** [K] start distribution. */
  readonly init: readonly number[];
  /** [K][K] transition rows. */
  readonly trans: readonly (readonly number[])[];
  /** [K] levels and within-state spreads (emission sd), W. */
  readonly locs: readonly number[];
  readonly scales: readonly number[];
  /** log p(series) under the learned model. */
  readonly logLik: number;
}

/** Options of the fit. */
export interface FitOptions {
  /** The smallest within-state spread, W (default 3): sub-meters repeat whole watts, a state's spread would collapse to 0. */
  readonly minScale?: number;
  /** What the series is, for error messages (default "the series"). */
  readonly name?: string;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(y; m, s). */
export const logNormal = (y: number, m: number, s: number): number => -0.5 * LOG_2PI - Math.log(s) - 0.5 * ((y - m) / s) ** 2;

/** The MAP Gaussian HMM with K states of the series y (W), by ppl-hmm fit's EM. */
export function fitGaussianHmm(y: ArrayLike<number>, K: number, o: FitOptions = {}): GaussianHmm {
  const seq = Array.from(y);
  const name = o.name ?? "the series";
  const checked = checkData(name, [seq], [name], K);
  const n = seq.length;
  const mean = seq.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(seq.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  // fit's floor is a fraction of the data's sd: o.minScale W, at most the sd itself
  const minScale = Math.min(1, (o.minScale ?? 3) / sd);
  // two starts (k-means from the quantiles, then from k-means++) and at most 200 EM iterations: the
  // house command fits a dozen chains or more per run, and the levels settle long before EM's strict convergence test
  const options = { ...defaultOptions(""), states: K, minScale, restarts: 2, maxSteps: 200, figures: false };
  const { result } = fitSignal({ seqs: [seq], labels: [name], dropped: new Map(), layout: "wide", header: { used: false, why: "" }, format: "" }, options, () => {}, undefined, checked);
  const p = result.params;
  if (![...p.locs, ...p.scales, result.logLikelihood].every(Number.isFinite)) throw new DataError(`${name}: the ${K}-state fit did not give finite parameters`);
  return { init: p.probsInit, trans: p.probsTrans, locs: p.locs, scales: p.scales, logLik: result.logLikelihood };
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
