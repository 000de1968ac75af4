/**
 * Fit the regression with AutoMultivariateNormal and SVI, then read off the
 * posterior quantiles and the posterior predictive band that Predictive draws.
 */
import * as tf from "@tensorflow/tfjs";
import { ClippedAdam, type CompiledLossStats, JitTraceELBO, Predictive, ProgressBar, SVI, TraceELBO, clearParamStore, dist, setRngSeed } from "ppl-core";
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
  /** Show a progress bar on stderr during the fit (default false). */
  progress?: boolean;
  /**
   * The compiled ELBO (default): the step is recorded once and replayed, the guide's draws made again
   * from the seeded stream each step (docs/compiled.md), the interpreted run's numbers. false: TraceELBO.
   */
  compiled?: boolean;
}

/**
 * One x of the posterior predictive band: the 5%, 50% and 95% quantiles of a new y, and its mean.
 * The predictive distribution at x is the mixture over Predictive's posterior draws (a, b) of
 * N(a + b·x, sigma²): the known noise is integrated exactly and the same draws serve every x,
 * so the band is smooth (a quantile of independent y draws per x is jagged by Monte Carlo noise).
 */
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
  /** With `compiled`: how many loss calls recorded, replayed, or ran interpreted. */
  compileStats?: CompiledLossStats;
}

const QS = [0.05, 0.5, 0.95];

/** Fit y ~ intercept + slope·x (noise sd `sigma` known) and summarise the posterior. */
export function fit(xs: readonly number[], ys: readonly number[], sigma: number, options: FitOptions = {}): FitResult {
  const steps = options.steps ?? 2000;
  const lr = options.lr ?? 0.05;
  clearParamStore();
  setRngSeed(options.seed ?? 0);
  const x = tf.tensor1d([...xs]);
  const y = tf.tensor1d([...ys]);
  const guide = new AutoMultivariateNormal(regression);
  const elbo = options.compiled ?? true ? new JitTraceELBO({ numParticles: 2 }) : new TraceELBO({ numParticles: 2 });
  const svi = new SVI(regression, guide, new ClippedAdam({ lr, lrd: 0.1 ** (1 / steps) }), elbo);
  const losses: number[] = [];
  const bar = options.progress === true ? new ProgressBar(steps, { label: "fit" }) : undefined;
  for (let i = 0; i < steps; i++) {
    const loss = svi.step(x, y, sigma);
    bar?.update(i, loss);
    if (i % 10 === 0) losses.push(loss);
  }
  bar?.close();

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
  const predictive = new Predictive(regression, { guide, numSamples: options.numSamples ?? 1000, parallel: true, returnSites: ["intercept", "slope"] });
  const draws = predictive.forward(tf.tensor1d(grid), undefined, sigma);
  const band = mixtureBand(draws.intercept!, draws.slope!, grid, sigma);
  tf.dispose([x, y, cov, ...Object.values(q), ...Object.values(median), ...Object.values(draws)]);
  const compileStats = elbo instanceof JitTraceELBO ? { ...elbo.compileStats } : undefined;
  if (elbo instanceof JitTraceELBO) elbo.dispose();
  return { qs: QS, quantiles, posterior, band, losses, ...(compileStats === undefined ? {} : { compileStats }) };
}

/** The band of the mixture over draws of N(a + b·x, sigma²): its quantiles by bisection on its cdf, at every x at once. */
function mixtureBand(a: tf.Tensor, b: tf.Tensor, grid: readonly number[], sigma: number): BandPoint[] {
  const [means, quantiles] = tf.tidy(() => {
    const m = a.reshape([-1, 1]).add(b.reshape([-1, 1]).mul(tf.tensor1d([...grid]).reshape([1, -1]))); // [draws, G]
    const mean = m.mean(0);
    // bracket every quantile: the draws' means ± 6 sigma
    let lo = m.min(0).sub(6 * sigma).reshape([1, -1]).tile([3, 1]); // [3 quantiles, G]
    let hi = m.max(0).add(6 * sigma).reshape([1, -1]).tile([3, 1]);
    const target = tf.tensor1d([0.05, 0.5, 0.95]).reshape([3, 1]);
    const noise = dist.Normal(0, sigma);
    for (let it = 0; it < 40; it++) {
      const mid = lo.add(hi).div(2);
      const cdf = noise.cdf(mid.expandDims(1).sub(m.expandDims(0))).mean(1); // [3, G]
      const below = cdf.less(target);
      [lo, hi] = [tf.where(below, mid, lo), tf.where(below, hi, mid)];
    }
    return [mean, lo.add(hi).div(2)];
  });
  const mean = Array.from(means.dataSync());
  const qs = quantiles.arraySync() as number[][];
  tf.dispose([means, quantiles]);
  return grid.map((gx, i) => ({ x: gx, lo: qs[0]![i]!, median: qs[1]![i]!, hi: qs[2]![i]!, mean: mean[i]! }));
}
