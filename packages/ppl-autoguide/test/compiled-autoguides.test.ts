// The sampling autoguides through JitTraceELBO: their draws are the compiled program's inputs, made again from
// ppl's random stream on every replay (docs/compiled.md). Two truths: the average of many replayed losses at
// fixed params is the negative ELBO in closed form (Gaussian q on a conjugate Gaussian model), and SVI's losses
// and params over steps are the interpreted TraceELBO's from the same seed, bit for bit (the reference path).
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClippedAdam, JitTraceELBO, type Model, SVI, TraceELBO, clearParamStore, dist, getParamStore, plate, sample, setRngSeed } from "ppl-core";
import { AutoMultivariateNormal, AutoNormal } from "ppl-autoguide";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

// mu ~ N(1, 2), x_i ~ N(mu, 1)
const XS = [2.3, 1.1, 2.9, 1.7, 2.2, 2.6, 1.4, 2.0];
function* normalModel(x: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(1, 2));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("obs", dist.Normal(mu, 1), { obs: x });
  });
}

/** −ELBO of q(mu) = N(loc, scale) for normalModel: E_q[−log p(mu) − Σ log p(x_i | mu)] + E_q[log q]. */
function normalModelNegElbo(loc: number, scale: number): number {
  const prior = HALF_LOG_2PI + Math.log(2) + ((loc - 1) ** 2 + scale ** 2) / 8;
  const lik = XS.reduce((a, x) => a + HALF_LOG_2PI + ((x - loc) ** 2 + scale ** 2) / 2, 0);
  return prior + lik - HALF_LOG_2PI - Math.log(scale) - 0.5;
}

// intercept, slope ~ N(0, 10²), y_i ~ N(intercept + slope·x_i, SIGMA²)
const RX = [-1.5, -0.4, 0.3, 1.2, 2.0];
const RY = [-2.1, 0.2, 1.4, 2.9, 4.6];
const SIGMA = 0.7;
function* regression(x: tf.Tensor, y: tf.Tensor) {
  const a = yield* sample("intercept", dist.Normal(0, 10));
  const b = yield* sample("slope", dist.Normal(0, 10));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("y", dist.Normal(a.add(b.mul(x)), SIGMA), { obs: y });
  });
}

/** −ELBO of q([a, b]) = N(m, C) for regression, in closed form (Var(a + b x) = C_aa + 2x C_ab + x² C_bb). */
function regressionNegElbo(m: readonly number[], c: readonly (readonly number[])[]): number {
  const [ma, mb] = m as [number, number];
  const lik = RX.reduce((acc, x, i) => {
    const v = c[0]![0]! + 2 * x * c[0]![1]! + x * x * c[1]![1]!;
    return acc + HALF_LOG_2PI + Math.log(SIGMA) + ((RY[i]! - ma - mb * x) ** 2 + v) / (2 * SIGMA * SIGMA);
  }, 0);
  const prior = [0, 1].reduce((acc, j) => acc + HALF_LOG_2PI + Math.log(10) + (m[j]! ** 2 + c[j]![j]!) / 200, 0);
  const logDet = Math.log(c[0]![0]! * c[1]![1]! - c[0]![1]! * c[1]![0]!);
  return lik + prior - 2 * HALF_LOG_2PI - 0.5 * logDet - 1;
}

/** The mean and standard error of `runs` loss calls at the current params (no step). */
function replayedMean<A extends unknown[]>(elbo: TraceELBO, model: Model<A>, guide: Model<A>, runs: number, ...args: A) {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < runs; i++) {
    const v = tf.tidy(() => elbo.differentiableLoss(model, guide, ...args).dataSync()[0]!);
    sum += v;
    sq += v * v;
  }
  const mean = sum / runs;
  return { mean, se: Math.sqrt((sq / runs - mean * mean) / runs) };
}

/** SVI's losses and every param's values over `steps` steps from `seed`. */
function sviRun<A extends unknown[]>(elbo: TraceELBO, model: Model<A>, makeGuide: () => Model<A>, steps: number, seed: number, ...args: A) {
  clearParamStore();
  setRngSeed(seed);
  const svi = new SVI(model, makeGuide(), new ClippedAdam({ lr: 0.05 }), elbo);
  const out: { loss: number; params: Record<string, number[]> }[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = svi.step(...args);
    const store = getParamStore();
    out.push({ loss, params: Object.fromEntries(store.names().map((n) => [n, Array.from(store.get(n).dataSync())])) });
  }
  return out;
}

afterEach(() => {
  clearParamStore();
  vi.restoreAllMocks();
});

describe("AutoNormal through JitTraceELBO", () => {
  it("the average of many replayed losses is the closed-form negative ELBO", () => {
    setRngSeed(1);
    const data = tf.tensor1d(XS);
    const guide = new AutoNormal(normalModel, { initScale: 0.5 });
    const elbo = new JitTraceELBO({ numParticles: 4, vectorizeParticles: true });
    const { mean, se } = replayedMean(elbo, normalModel, guide, 400, data);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 398, interpreted: 0 });
    const loc = guide.median(data).mu!.dataSync()[0]!;
    const scale = guide.scales(data).mu!.dataSync()[0]!;
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - normalModelNegElbo(loc, scale))).toBeLessThan(4 * se);
    data.dispose();
  });

  it("SVI's losses and params equal the interpreted run's from the same seed, bit for bit", () => {
    const warn = vi.spyOn(console, "warn");
    const data = tf.tensor1d(XS);
    const make = () => new AutoNormal(normalModel, { initScale: 0.5 });
    const interpreted = sviRun(new TraceELBO({ numParticles: 4 }), normalModel, make, 12, 7, data);
    const elbo = new JitTraceELBO({ numParticles: 4 });
    expect(sviRun(elbo, normalModel, make, 12, 7, data)).toEqual(interpreted);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 11, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    data.dispose();
  });
});

describe("AutoMultivariateNormal through JitTraceELBO", () => {
  it("the average of many replayed losses is the closed-form negative ELBO", () => {
    setRngSeed(2);
    const x = tf.tensor1d(RX);
    const y = tf.tensor1d(RY);
    const guide = new AutoMultivariateNormal(regression, { initScale: 0.3 });
    const elbo = new JitTraceELBO({ numParticles: 2 });
    const { mean, se } = replayedMean(elbo, regression, guide, 400, x, y);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 398, interpreted: 0 });
    const median = guide.median(x, y);
    const m = [median.intercept!.dataSync()[0]!, median.slope!.dataSync()[0]!];
    const c = guide.covariance(x, y).arraySync() as number[][];
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - regressionNegElbo(m, c))).toBeLessThan(4 * se);
    tf.dispose([x, y]);
  });

  it("SVI's losses and params equal the interpreted run's from the same seed, bit for bit", () => {
    const warn = vi.spyOn(console, "warn");
    const x = tf.tensor1d(RX);
    const y = tf.tensor1d(RY);
    const make = () => new AutoMultivariateNormal(regression);
    const interpreted = sviRun(new TraceELBO({ numParticles: 2 }), regression, make, 12, 3, x, y);
    const elbo = new JitTraceELBO({ numParticles: 2 });
    expect(sviRun(elbo, regression, make, 12, 3, x, y)).toEqual(interpreted);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 11, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    tf.dispose([x, y]);
  });
});

describe("AutoNormal on a local latent in a subsampled plate, through JitTraceELBO", () => {
  // mu_i ~ N(0, 1), x_i ~ N(mu_i, 1) for 6 members, 2 drawn each step and scaled by 6/2; q(mu_i) = N(loc_i, scale_i),
  // the autoguide's rows picked by the drawn indices. Over the subsets and the draws the estimate is unbiased:
  // its expectation is the full negative ELBO, Σ_i [½ log 2π + (loc_i² + s_i²)/2 + ½ log 2π + ((x_i − loc_i)² + s_i²)/2
  // − ½ log 2π − log s_i − ½]
  const LX = [0.4, -1.3, 2.2, 0.9, -0.2, 1.6];
  function* local(x: tf.Tensor) {
    yield* plate("members", LX.length, { subsampleSize: 2 }, function* (idx) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      yield* sample("obs", dist.Normal(mu, 1), { obs: x.gather(idx) });
    });
  }
  const fullNegElbo = (locs: readonly number[], scales: readonly number[]) =>
    LX.reduce((acc, x, i) => acc + HALF_LOG_2PI + (locs[i]! ** 2 + scales[i]! ** 2) / 2 + HALF_LOG_2PI
      + ((x - locs[i]!) ** 2 + scales[i]! ** 2) / 2 - HALF_LOG_2PI - Math.log(scales[i]!) - 0.5, 0);

  it("replays the same-seed interpreted run, and its replays average to the full closed-form negative ELBO", () => {
    const warn = vi.spyOn(console, "warn");
    const data = tf.tensor1d(LX);
    const make = () => new AutoNormal(local, { initScale: 0.4 });
    const interpreted = sviRun(new TraceELBO(), local, make, 8, 5, data);
    const stepped = new JitTraceELBO();
    expect(sviRun(stepped, local, make, 8, 5, data)).toEqual(interpreted);
    expect(stepped.compileStats).toEqual({ recorded: 1, replayed: 7, interpreted: 0 });

    clearParamStore();
    setRngSeed(8);
    const guide = make();
    const elbo = new JitTraceELBO();
    const { mean, se } = replayedMean(elbo, local, guide, 600, data);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 598, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    const locs = Array.from(guide.median(data).mu!.dataSync());
    const scales = Array.from(guide.scales(data).mu!.dataSync());
    expect(locs).toHaveLength(LX.length);
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - fullNegElbo(locs, scales))).toBeLessThan(4 * se);
    data.dispose();
  });
});

describe("a compiled loss's first call with an autoguide", () => {
  it("runs the prototype unrecorded, then records the next call whole: the losses stay the interpreted run's", () => {
    // whether the recorder shadows the engine's kernel entry point each time the model runs
    const shadowed: boolean[] = [];
    const own = () => Object.prototype.hasOwnProperty.call(tf.engine(), "runKernelFunc");
    function* watched(x: tf.Tensor) {
      shadowed.push(own());
      yield* normalModel(x);
    }
    const data = tf.tensor1d(XS);
    const make = () => new AutoNormal(watched, { initScale: 0.3 });
    const interpreted = sviRun(new TraceELBO(), watched, make, 5, 3, data);
    shadowed.length = 0;
    const elbo = new JitTraceELBO();
    expect(sviRun(elbo, watched, make, 5, 3, data)).toEqual(interpreted);
    // step 1: the prototype (unrecorded), the guide's param-creating call (stopped there), the recorded call; then replays
    expect(shadowed).toEqual([false, false, true]);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 4, interpreted: 0 });
    data.dispose();
  });
});
