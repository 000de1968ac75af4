// The new families free what they make: logProb, sample, and the closed forms
// (cdf, icdf, entropy, mean, variance) leave no tensor behind but their result.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type Distribution, dist } from "ppl-core";

type Case = [string, () => Distribution, () => tf.Tensor, readonly ("cdf" | "icdf" | "entropy" | "mean" | "variance")[]];

const cases: Case[] = [
  ["Geometric", () => dist.Geometric(tf.tensor1d([0.3, 0.6])), () => tf.tensor1d([0, 4]), ["cdf", "icdf", "entropy", "mean", "variance"]],
  ["NegativeBinomial", () => dist.NegativeBinomial(2.5, { logits: tf.tensor1d([0, -1]) }), () => tf.tensor1d([0, 4]), ["mean", "variance"]],
  ["GammaPoisson", () => dist.GammaPoisson(2, tf.tensor1d([0.5, 1.5])), () => tf.tensor1d([1, 3]), ["mean", "variance"]],
  ["ZeroInflatedPoisson", () => dist.ZeroInflatedPoisson(tf.tensor1d([1.5, 4]), { gateLogits: 0.2 }), () => tf.tensor1d([0, 3]), ["cdf", "mean", "variance"]],
  ["Multinomial", () => dist.Multinomial(4, tf.tensor1d([0.2, 0.3, 0.5])), () => tf.tensor1d([1, 1, 2]), ["mean", "variance"]],
  ["OneHotCategorical", () => dist.OneHotCategorical(tf.tensor1d([0.2, 0.3, 0.5])), () => tf.tensor1d([0, 0, 1]), ["entropy", "mean", "variance"]],
  [
    "LowRankMultivariateNormal",
    () => dist.LowRankMultivariateNormal(tf.zeros([3]), tf.tensor2d([[1], [0.5], [-0.2]]), tf.tensor1d([0.3, 0.2, 0.4])),
    () => tf.tensor1d([0.1, 0.2, -0.3]),
    ["entropy", "mean", "variance"],
  ],
  ["LKJCholesky", () => dist.LKJCholesky(3, 2), () => tf.tensor2d([[1, 0, 0], [0.6, 0.8, 0], [0, 0.6, 0.8]]), []],
  ["MixtureSameFamily", () => dist.MixtureSameFamily(dist.Categorical([0.3, 0.7]), dist.Normal([-1, 2], [0.5, 1.5])), () => tf.tensor1d([0.5]), ["cdf", "mean", "variance"]],
  ["Bernoulli", () => dist.Bernoulli(tf.tensor1d([0.2, 0.9])), () => tf.tensor1d([0, 1]), ["cdf", "entropy"]],
  ["Binomial", () => dist.Binomial(6, tf.tensor1d([0.2, 0.9])), () => tf.tensor1d([2, 5]), ["cdf", "entropy"]],
  ["Poisson", () => dist.Poisson(tf.tensor1d([0.5, 3])), () => tf.tensor1d([0, 2]), ["cdf"]],
];

describe("the new families and closed forms leave no tensors behind", () => {
  for (const [name, make, value, closed] of cases) {
    it(name, () => {
      const d = make();
      const x = value();
      const q = tf.tensor1d([0.2, 0.7]);
      // warm-up: first calls may create cached constants (e.g. a Categorical's support)
      tf.dispose([d.logProb(x), d.sample([2], 1)]);
      const before = tf.memory().numTensors;
      const results = [d.logProb(x), d.sample([3], 2), ...closed.map((m) => (m === "cdf" ? d.cdf(x) : m === "icdf" ? d.icdf(q) : m === "entropy" ? d.entropy() : d[m]))];
      expect(results.every((r) => !r.isDisposed)).toBe(true);
      // a getter may hand back a stored tensor itself: that one stays with the distribution
      tf.dispose(results.filter((r) => !isParam(d, r)));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, q]);
    });
  }
});

/** A result that is one of the distribution's own stored tensors (Poisson's mean is its rate). */
function isParam(d: Distribution, t: tf.Tensor): boolean {
  const own = Object.values(d as unknown as Record<string, unknown>).filter((v): v is tf.Tensor => v instanceof tf.Tensor);
  return own.some((o) => o === t);
}
