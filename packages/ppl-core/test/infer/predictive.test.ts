// Predictive (Pyro's pyro.infer.Predictive; tests/infer/test_predictive.py's
// test_posterior_predictive_* in spirit): the posterior predictive of the
// Normal-Normal model against its closed form, from a guide and from given
// posterior samples, one run per sample and vectorised in an outer plate.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLShapeError, Predictive, clearParamStore, deterministic, dist, param, plate, sample, setRngSeed,
} from "ppl-core";

// mu ~ N(m0, s0), y_i ~ N(mu, sigma), i < n. Posterior mu | y ~ N(mn, sn); a new y_i* ~ N(mn, sqrt(sn² + sigma²)),
// and two new points share mu: Cov(y_i*, y_j*) = sn².
const m0 = 1;
const s0 = 2;
const sigma = 0.5;
const ys = [2.3, 1.1, 2.9, 1.7, 2.2];
const n = ys.length;
const precision = 1 / s0 ** 2 + n / sigma ** 2;
const sn = Math.sqrt(1 / precision);
const mn = (m0 / s0 ** 2 + ys.reduce((a, b) => a + b) / sigma ** 2) / precision;
const predSd = Math.sqrt(sn ** 2 + sigma ** 2);

function* model(y: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(m0, s0));
  yield* deterministic("mu2", mu.mul(2));
  yield* plate("data", n, function* () {
    yield* sample("y", dist.Normal(mu, sigma), { obs: y });
  });
}

/** The exact posterior as a guide, with its loc and scale as params. */
function* exactGuide() {
  const loc = yield* param("q_loc", tf.scalar(mn));
  const scale = yield* param("q_scale", tf.scalar(sn));
  yield* sample("mu", dist.Normal(loc, scale));
}

function moments(t: tf.Tensor): { mean: number[]; sd: number[]; corr01: number } {
  const rows = t.arraySync() as number[][];
  const N = rows.length;
  const cols = rows[0]!.length;
  const mean = Array.from({ length: cols }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / N);
  const sd = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / (N - 1)));
  const cov01 = rows.reduce((s, r) => s + (r[0]! - mean[0]!) * (r[1]! - mean[1]!), 0) / (N - 1);
  return { mean, sd, corr01: cov01 / (sd[0]! * sd[1]!) };
}

/** Mean, sd and the correlation of two new points against the closed form, within ~4 standard errors. */
function expectPosteriorPredictive(y: tf.Tensor, N: number) {
  expect(y.shape).toEqual([N, n]);
  const { mean, sd, corr01 } = moments(y);
  const corr = sn ** 2 / predSd ** 2;
  for (let j = 0; j < n; j++) {
    expect(Math.abs(mean[j]! - mn)).toBeLessThan(4 * predSd / Math.sqrt(N));
    // se of a sample sd ≈ sd / sqrt(2N)
    expect(Math.abs(sd[j]! - predSd)).toBeLessThan(4 * predSd / Math.sqrt(2 * N));
  }
  expect(Math.abs(corr01 - corr)).toBeLessThan(4 * (1 - corr ** 2) / Math.sqrt(N));
}

describe("Predictive on the Normal-Normal model", () => {
  const data = tf.tensor1d(ys);

  for (const parallel of [false, true]) {
    const N = parallel ? 2000 : 500;
    it(`test_posterior_predictive_svi_manual_guide (parallel: ${parallel}): y's predictive mean, sd and correlation match the closed form`, () => {
      clearParamStore();
      setRngSeed(3);
      const predictive = new Predictive(model, { guide: exactGuide, numSamples: N, parallel });
      const out = predictive.forward(data);
      expect(Object.keys(out).sort()).toEqual(["mu", "mu2", "y"]);
      expect(out.mu!.shape).toEqual([N]);
      expectPosteriorPredictive(out.y!, N);
      // the deterministic site follows the guide's draw of mu
      expect(tf.abs(out.mu2!.sub(out.mu!.mul(2))).max().dataSync()[0]).toBeLessThan(1e-5);
      tf.dispose(Object.values(out));
    });

    it(`posteriorSamples (parallel: ${parallel}): only the sites not given are returned, and y follows the given mu`, () => {
      setRngSeed(5);
      const mu = tf.randomNormal([N], mn, sn, "float32", 17);
      const out = new Predictive(model, { posteriorSamples: { mu } }).forward(data);
      expect(Object.keys(out).sort()).toEqual(["mu2", "y"]);
      expectPosteriorPredictive(out.y!, N);
      // each row's y is drawn around its own mu: the residual has sd sigma
      const resid = moments(out.y!.sub(mu.expandDims(1)));
      expect(Math.abs(resid.sd[0]! - sigma)).toBeLessThan(4 * sigma / Math.sqrt(2 * N));
      tf.dispose([mu, ...Object.values(out)]);
    });
  }

  it("without guide or samples draws from the prior predictive (sd sqrt(s0² + sigma²))", () => {
    setRngSeed(7);
    const N = 2000;
    const out = new Predictive(model, { numSamples: N, parallel: true, returnSites: ["y"] }).forward(data);
    expect(Object.keys(out)).toEqual(["y"]);
    const { mean, sd } = moments(out.y!);
    const priorSd = Math.sqrt(s0 ** 2 + sigma ** 2);
    expect(Math.abs(mean[0]! - m0)).toBeLessThan(4 * priorSd / Math.sqrt(N));
    expect(Math.abs(sd[0]! - priorSd)).toBeLessThan(4 * priorSd / Math.sqrt(2 * N));
    tf.dispose(Object.values(out));
  });

  it("leaves no tensors behind but its result", () => {
    clearParamStore();
    const predictive = new Predictive(model, { guide: exactGuide, numSamples: 10 });
    tf.dispose(Object.values(predictive.forward(data)));
    const before = tf.memory().numTensors;
    const out = predictive.forward(data);
    expect(tf.memory().numTensors).toBe(before + Object.keys(out).length);
    tf.dispose(Object.values(out));
  });

  it("names the option or site when misused", () => {
    expect(() => new Predictive(model, {})).toThrow(PPLConfigError);
    expect(() => new Predictive(model, {})).toThrow(/numSamples/);
    expect(() => new Predictive(model, { guide: exactGuide, posteriorSamples: { mu: tf.zeros([3]) } })).toThrow(/not both/);
    expect(() => new Predictive(model, { posteriorSamples: { mu: tf.zeros([3]) }, numSamples: 4 })).toThrow(/posteriorSamples\['mu'\] has 3 samples/);
    expect(() => new Predictive(model, { numSamples: 0 })).toThrow(/numSamples/);
    expect(() => new Predictive(model, { numSamples: 2, returnSites: ["nope"] }).forward(data)).toThrow(/returnSites names 'nope'.*mu, mu2, y/);
    expect(() => new Predictive(model, { posteriorSamples: { mu: tf.zeros([3, 2]) } }).forward(data)).toThrow(PPLShapeError);
    expect(() => new Predictive(model, { posteriorSamples: { mu: tf.zeros([3, 2]) } }).forward(data)).toThrow(/site 'mu'.*\[3, 2\].*\[3\]/);
  });
});
