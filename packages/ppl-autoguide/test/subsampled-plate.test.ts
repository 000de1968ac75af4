/**
 * Autoguides over local latent sites of a subsampled plate (Pyro's AutoNormal
 * and AutoDelta with `subsample_size`): params at the plate's full size, each
 * step reading the rows of the members the plate drew.
 *
 * The model (plate diagram):
 *
 *     theta_j ~ Normal(mu0, tau)                 plate "groups" (J, subsampled to B)
 *       y_jk ~ Normal(theta_j, sigma)            plate "obs" (K) inside it
 *
 * With mu0, tau, sigma known the groups are independent a posteriori and
 * conjugate: theta_j | y ~ Normal(m_j, v) with v = 1 / (1/tau² + K/sigma²),
 * m_j = v (mu0/tau² + Σ_k y_jk / sigma²), written out below in float64.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLModelError, SVI, TraceELBO, block, clearParamStore, dist, getParamStore, plate, sample, setRngSeed, trace,
} from "ppl-core";
import { AutoDelta, AutoDiagonalNormal, AutoGuideList, AutoMultivariateNormal, AutoNormal } from "ppl-autoguide";

const J = 40;
const K = 4;
const B = 8;
const [mu0, tau, sigma] = [1, 2, 1];

/** y[k][j]: a fixed table (no RNG), spread like draws of the model. */
const y: number[][] = Array.from({ length: K }, (_, k) =>
  Array.from({ length: J }, (_, j) => mu0 + 1.8 * Math.sin(1.3 * j + 0.4) + 0.9 * Math.cos(2.1 * k + 0.7 * j)));

function exactPosterior(): { means: number[]; variance: number } {
  const variance = 1 / (1 / tau ** 2 + K / sigma ** 2);
  const means = Array.from({ length: J }, (_, j) => {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += y[k]![j]!;
    return variance * (mu0 / tau ** 2 + sum / sigma ** 2);
  });
  return { means, variance };
}

/** The model with `subsampleSize` groups per step (J: full batch). */
function makeModel(subsampleSize: number) {
  return function* model(data: tf.Tensor2D) {
    yield* plate("groups", J, { dim: -1, subsampleSize }, function* (idx) {
      const theta = yield* sample("theta", dist.Normal(mu0, tau));
      yield* plate("obs", K, { dim: -2 }, function* () {
        yield* sample("y", dist.Normal(theta, sigma), { obs: data.gather(idx, 1) });
      });
    });
  };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe("autoguides in a subsampled plate", () => {
  it("AutoDelta reaches the exact posterior modes of every group from minibatches of 8 of 40 groups", () => {
    clearParamStore();
    setRngSeed(3);
    const model = makeModel(B);
    const data = tf.tensor2d(y);
    const guide = new AutoDelta(model);
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.1, lrd: 0.999 }), new TraceELBO());
    svi.run(1200, [data]);
    const theta = guide.median(data).theta!;
    expect(theta.shape).toEqual([J]); // every group, not one minibatch
    expect(maxAbsDiff(theta.dataSync(), exactPosterior().means)).toBeLessThan(1e-3);
  });

  it("AutoNormal reaches the exact posterior mean and sd of every group from minibatches", () => {
    clearParamStore();
    setRngSeed(5);
    const model = makeModel(B);
    const data = tf.tensor2d(y);
    const guide = new AutoNormal(model, { initScale: 0.3 });
    const elbo = new TraceELBO({ numParticles: 8, vectorizeParticles: true, maxPlateNesting: 2 });
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.9993 }), elbo);
    svi.run(3000, [data]);
    const { means, variance } = exactPosterior();
    expect(getParamStore().get("AutoNormal.locs.theta").shape).toEqual([J]);
    const median = guide.median(data).theta!.dataSync();
    const sds = Array.from(guide.scales(data).theta!.dataSync());
    // the posterior sd is 0.49; Monte Carlo noise of the fit leaves each mean within 0.1 of it
    expect(maxAbsDiff(median, means)).toBeLessThan(0.1);
    const meanSd = sds.reduce((a, b) => a + b) / J;
    expect(Math.abs(meanSd - Math.sqrt(variance))).toBeLessThan(0.03);
    expect(maxAbsDiff(sds, sds.map(() => Math.sqrt(variance)))).toBeLessThan(0.12);
  }, 300_000); // 3 000 steps of 8 particles: ~30 s alone, over 100 s on a loaded machine

  it("matches the full-batch AutoDelta fit of a model with a global latent mean", () => {
    // mu ~ Normal(0, 5) is global: the guide covers it outside the plate and theta inside
    function hierarchical(subsampleSize: number) {
      return function* model(data: tf.Tensor2D) {
        const mu = yield* sample("mu", dist.Normal(0, 5));
        yield* plate("groups", J, { dim: -1, subsampleSize }, function* (idx) {
          const theta = yield* sample("theta", dist.Normal(mu, tau));
          yield* plate("obs", K, { dim: -2 }, function* () {
            yield* sample("y", dist.Normal(theta, sigma), { obs: data.gather(idx, 1) });
          });
        });
      };
    }
    const data = tf.tensor2d(y);
    const fit = (subsampleSize: number, steps: number, lrd: number) => {
      clearParamStore();
      setRngSeed(7);
      const model = hierarchical(subsampleSize);
      const guide = new AutoDelta(model);
      const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.1, lrd }), new TraceELBO());
      svi.run(steps, [data]);
      const m = guide.median(data);
      return { mu: m.mu!.dataSync()[0]!, theta: m.theta!.dataSync() };
    };
    const full = fit(J, 1000, 0.999);
    // a minibatch gradient of the global mu stays noisy at the optimum: more steps, the same decay
    const mini = fit(B, 3000, 0.999);
    expect(Math.abs(mini.mu - full.mu)).toBeLessThan(0.01);
    expect(maxAbsDiff(mini.theta, full.theta)).toBeLessThan(0.01);
    // the full-batch fit is itself the joint mode: mu at the mean of the thetas shrunk by its prior
    const meanTheta = Array.from(full.theta).reduce((a, b) => a + b) / J;
    const muMode = (J * meanTheta / tau ** 2) / (J / tau ** 2 + 1 / 25);
    expect(Math.abs(full.mu - muMode)).toBeLessThan(0.01);
  });

  it("the model replays the guide's subsample, and the guide's param rows are the drawn members'", () => {
    clearParamStore();
    setRngSeed(1);
    const model = makeModel(B);
    const data = tf.tensor2d(y);
    const guide = new AutoDelta(model);
    tf.tidy(() => {
      const tr = trace(guide).getTrace(data);
      const idx = Array.from(tr.get("groups")!.value.dataSync());
      expect(idx).toHaveLength(B);
      const full = getParamStore().get("AutoDelta.locs.theta").dataSync();
      expect(Array.from(tr.sampleSite("theta").value.dataSync())).toEqual(idx.map((j) => full[j]));
    });
  });

  it("AutoDiagonalNormal and AutoMultivariateNormal refuse a subsampled plate and point to the recipe", () => {
    clearParamStore();
    const model = makeModel(B);
    const data = tf.tensor2d(y);
    for (const guide of [new AutoDiagonalNormal(model), new AutoMultivariateNormal(model)]) {
      let caught: unknown;
      try {
        guide.median(data);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PPLModelError);
      const err = caught as PPLModelError;
      expect(err.site).toBe("theta");
      expect(err.plate).toBe("groups");
      expect(err.message).toContain("8 of 40 members");
      expect(err.message).toContain("docs/subsampling.md");
    }
  });

  it("AutoGuideList: the subsampled plate's sites in one part, the globals in another, run as one guide", () => {
    function* model(data: tf.Tensor2D) {
      const mu = yield* sample("mu", dist.Normal(0, 5));
      yield* plate("groups", J, { dim: -1, subsampleSize: B }, function* (idx) {
        const theta = yield* sample("theta", dist.Normal(mu, tau));
        yield* plate("obs", K, { dim: -2 }, function* () {
          yield* sample("y", dist.Normal(theta, sigma), { obs: data.gather(idx, 1) });
        });
      });
    }
    clearParamStore();
    setRngSeed(2);
    const data = tf.tensor2d(y);
    const guide = new AutoGuideList(model)
      .append(new AutoDelta(block(model, { expose: ["mu"] })))
      .append(new AutoNormal(block(model, { expose: ["theta"] })));
    const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO());
    expect(Number.isFinite(svi.step(data))).toBe(true);
    expect(getParamStore().get("AutoNormal.locs.theta").shape).toEqual([J]);
  });

  it("AutoGuideList refuses two parts with sites in the same subsampled plate (each would draw its own subsample)", () => {
    function* model() {
      yield* plate("groups", J, { subsampleSize: B }, function* () {
        yield* sample("a", dist.Normal(0, 1));
        yield* sample("b", dist.Normal(0, 1));
      });
    }
    clearParamStore();
    const guide = new AutoGuideList(model)
      .append(new AutoNormal(block(model, { expose: ["a"] })))
      .append(new AutoDelta(block(model, { expose: ["b"] })));
    expect(() => guide.median()).toThrow(/two parts \(AutoNormal and AutoDelta\) cover sites in the subsampled plate 'groups'/);
  });

  it("refuses a subsampled sequential plate, whose member sites change every step", () => {
    function* model() {
      yield* plate("groups", 10, { sequential: true, subsampleSize: 3 }, function* (j) {
        yield* sample(`theta_${j}`, dist.Normal(0, 1));
      });
    }
    clearParamStore();
    expect(() => new AutoNormal(model).median()).toThrow(/sequential plate 'groups', subsampled/);
  });
});
