/**
 * Fit the regression with AutoMultivariateNormal and SVI, then read off the
 * posterior quantiles and the posterior predictive band that Predictive draws.
 */
import * as tf from "@tensorflow/tfjs";
import { ClippedAdam, Predictive, SVI, TraceELBO, clearParamStore, setRngSeed } from "ppl-core";
import { AutoMultivariateNormal } from "ppl-autoguide";
import { regression } from "./model.js";

/** How to fit: SVI steps, Adam's learning rate (decayed to 10% over the run), predictive draws, seed. */
export interface FitOptions {
  steps?: number;
  lr?: number;
  numSamples?: number;
  seed?: number;
  /** x values of the band (default 50 points across the data's range). */
  grid?: number[];
}

/** One x of the posterior predictive band: the 5%, 50% and 95% quantiles of a new y, and its mean. */
export interface BandPoint {
  x: number;
  lo: number;
  median: number;
  hi: number;
  mean: number;
}

/** What the example reports. */
export interface FitResult {
  /** The probabilities of `quantiles`. */
  qs: number[];
  /** Posterior quantiles per site, one per q (AutoMultivariateNormal.quantiles). */
  quantiles: { intercept: number[]; slope: number[] };
  /** The guide's posterior mean and covariance of [intercept, slope]. */
  posterior: { mean: [number, number]; cov: [[number, number], [number, number]] };
  band: BandPoint[];
  /** The loss every 10 steps. */
  losses: number[];
}

const QS = [0.05, 0.5, 0.95];

/** Quantile q of sorted numbers (linear interpolation between order statistics). */
function quantileOf(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Fit y ~ intercept + slope·x (noise sd `sigma` known) and summarise the posterior. */
export function fit(xs: readonly number[], ys: readonly number[], sigma: number, options: FitOptions = {}): FitResult {
  const steps = options.steps ?? 2000;
  const lr = options.lr ?? 0.05;
  clearParamStore();
  setRngSeed(options.seed ?? 0);
  const x = tf.tensor1d([...xs]);
  const y = tf.tensor1d([...ys]);
  const guide = new AutoMultivariateNormal(regression);
  const svi = new SVI(regression, guide, new ClippedAdam({ lr, lrd: 0.1 ** (1 / steps) }), new TraceELBO({ numParticles: 2 }));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = svi.step(x, y, sigma);
    if (i % 10 === 0) losses.push(loss);
  }

  const q = guide.quantiles(QS, x, y, sigma);
  const quantiles = { intercept: Array.from(q.intercept!.dataSync()), slope: Array.from(q.slope!.dataSync()) };
  const cov = guide.covariance(x, y, sigma);
  const c = cov.arraySync() as number[][];
  const median = guide.median(x, y, sigma);
  const posterior = {
    mean: [median.intercept!.dataSync()[0]!, median.slope!.dataSync()[0]!] as [number, number],
    cov: [[c[0]![0]!, c[0]![1]!], [c[1]![0]!, c[1]![1]!]] as [[number, number], [number, number]],
  };

  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const grid = options.grid ?? Array.from({ length: 50 }, (_, i) => lo + ((hi - lo) * i) / 49);
  const predictive = new Predictive(regression, { guide, numSamples: options.numSamples ?? 1000, parallel: true, returnSites: ["y"] });
  const draws = predictive.forward(tf.tensor1d(grid), undefined, sigma);
  const rows = draws.y!.transpose().arraySync() as number[][];
  const band = grid.map((gx, i) => {
    const sorted = [...rows[i]!].sort((a, b) => a - b);
    return {
      x: gx,
      lo: quantileOf(sorted, 0.05),
      median: quantileOf(sorted, 0.5),
      hi: quantileOf(sorted, 0.95),
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    };
  });
  tf.dispose([x, y, cov, ...Object.values(q), ...Object.values(median), ...Object.values(draws)]);
  return { qs: QS, quantiles, posterior, band, losses };
}
