// Construction-time validation: every bad parameter throws a PPL error that names
// the distribution, the parameter, the offending value (or shape) and the expectation;
// setValidation(false) skips the value checks.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { PPLConfigError, PPLShapeError, PPLSupportError, constraints, dist, setValidation } from "ppl-core";
import { thrown } from "./helpers.js";
import { withStepCache } from "../../src/ops/step-cache.js";

afterEach(() => setValidation(true));

const supportCases: [string, () => unknown, RegExp][] = [
  ["Normal scale < 0", () => dist.Normal(0, tf.tensor1d([1, -2])), /^Normal: parameter 'scale' must be positive, but element 1 is -2/],
  ["LogNormal loc NaN", () => dist.LogNormal(NaN, 1), /^LogNormal: parameter 'loc' must be real, but element 0 is NaN/],
  ["HalfNormal scale = 0", () => dist.HalfNormal([1, 0]), /^HalfNormal: parameter 'scale' must be positive, but element 1 is 0/],
  ["Uniform high <= low", () => dist.Uniform([0, 2], [1, 1]), /^Uniform: parameter 'high' must be greater than 'low', but element 1 has low = 2 and high = 1/],
  ["Uniform low infinite", () => dist.Uniform(-Infinity, 1), /^Uniform: parameter 'low' must be real, but element 0 is -Infinity/],
  ["Beta concentration1 = 0", () => dist.Beta(0, 1), /^Beta: parameter 'concentration1' must be positive, but element 0 is 0/],
  ["Beta concentration0 < 0", () => dist.Beta(1, [2, -0.5]), /^Beta: parameter 'concentration0' must be positive, but element 1 is -0.5/],
  ["Gamma rate NaN", () => dist.Gamma(2, NaN), /^Gamma: parameter 'rate' must be positive, but element 0 is NaN/],
  ["Gamma concentration infinite", () => dist.Gamma(Infinity, 1), /^Gamma: parameter 'concentration' must be positive, but element 0 is Infinity/],
  ["Exponential rate < 0", () => dist.Exponential(-1), /^Exponential: parameter 'rate' must be positive, but element 0 is -1/],
  ["Dirichlet concentration = 0", () => dist.Dirichlet([1, 0, 2]), /^Dirichlet: parameter 'concentration' must be positive, but element 1 is 0/],
  ["Categorical probs with an all-zero row", () => dist.Categorical([[0.5, 0.6], [0, 0]]), /^Categorical: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 1 is \[0, 0\]/],
  ["Categorical probs negative", () => dist.Categorical([0.5, -0.6]), /^Categorical: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 0 is \[0.5, -0.6\]/],
  ["Categorical probs infinite", () => dist.Categorical([1, Infinity]), /^Categorical: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 0 is \[1, Infinity\]/],
  ["Bernoulli probs > 1", () => dist.Bernoulli([0.5, 1.5]), /^Bernoulli: parameter 'probs' must be unitInterval, but element 1 is 1.5/],
  ["Bernoulli logits NaN", () => dist.Bernoulli({ logits: NaN }), /^Bernoulli: parameter 'logits' must be real, but element 0 is NaN/],
  ["Poisson rate < 0", () => dist.Poisson(-2), /^Poisson: parameter 'rate' must be positive, but element 0 is -2/],
  ["Binomial totalCount fractional", () => dist.Binomial(2.5, 0.5), /^Binomial: parameter 'totalCount' must be nonnegativeInteger, but element 0 is 2.5/],
  ["Binomial probs < 0", () => dist.Binomial(3, -0.1), /^Binomial: parameter 'probs' must be unitInterval, but element 0 is -0.1/],
  ["StudentT df = 0", () => dist.StudentT(0), /^StudentT: parameter 'df' must be positive, but element 0 is 0/],
  ["Laplace scale infinite", () => dist.Laplace(0, Infinity), /^Laplace: parameter 'scale' must be positive, but element 0 is Infinity/],
  ["MultivariateNormal scaleTril not lower triangular", () => dist.MultivariateNormal([0, 0], { scaleTril: [[1, 0.5], [0, 1]] }),
    /^MultivariateNormal: parameter 'scaleTril' must be lowerCholesky, but element 0 is \[1, 0.5, 0, 1\]/],
  ["MultivariateNormal covariance not positive definite", () => dist.MultivariateNormal([0, 0], { covarianceMatrix: [[1, 2], [2, 1]] }),
    /^MultivariateNormal: parameter 'covarianceMatrix' must be positiveDefinite, but element 0 is \[1, 2, 2, 1\]/],
];

describe("parameters out of support throw PPLSupportError naming distribution, parameter, value and expectation", () => {
  for (const [name, make, message] of supportCases) {
    it(name, () => {
      const err = thrown(make);
      expect(err).toBeInstanceOf(PPLSupportError);
      expect(err.message).toMatch(message);
    });
  }
});

describe("mismatched shapes throw PPLShapeError naming distribution, parameters and shapes", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["Normal loc [4] vs scale [5]", () => dist.Normal(tf.zeros([4]), tf.ones([5])), /^Normal: parameter shapes do not broadcast: loc \[4\], scale \[5\]/],
    ["Gamma", () => dist.Gamma(tf.ones([2, 3]), tf.ones([4])), /^Gamma: parameter shapes do not broadcast: concentration \[2, 3\], rate \[4\]/],
    ["Beta", () => dist.Beta(tf.ones([3]), tf.ones([2])), /^Beta: parameter shapes do not broadcast: concentration1 \[3\], concentration0 \[2\]/],
    ["Uniform", () => dist.Uniform(tf.zeros([3]), tf.ones([2])), /^Uniform: parameter shapes do not broadcast: low \[3\], high \[2\]/],
    ["StudentT", () => dist.StudentT(tf.ones([3]), tf.zeros([2])), /^StudentT: parameter shapes do not broadcast: df \[3\], loc \[2\], scale \[\]/],
    ["Laplace", () => dist.Laplace(tf.zeros([3]), tf.ones([2])), /^Laplace: parameter shapes do not broadcast: loc \[3\], scale \[2\]/],
    ["Binomial", () => dist.Binomial(tf.ones([3]), tf.fill([2], 0.5)), /^Binomial: parameter shapes do not broadcast: totalCount \[3\], probs \[2\]/],
    ["MultivariateNormal loc [3] vs scaleTril [2, 2]", () => dist.MultivariateNormal([0, 0, 0], { scaleTril: tf.eye(2) }),
      /^MultivariateNormal: parameter 'scaleTril' must have shape \[\.\.\., 3, 3\] to match loc \[3\], got \[2, 2\]/],
    ["MultivariateNormal scalar loc", () => dist.MultivariateNormal(0, { scaleTril: tf.eye(1) }), /^MultivariateNormal: parameter 'loc' must have shape \[\.\.\., D\], got \[\]/],
    ["Dirichlet scalar concentration", () => dist.Dirichlet(2), /^Dirichlet: parameter 'concentration' must have shape \[\.\.\., K\], got \[\]/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const err = thrown(make);
      expect(err).toBeInstanceOf(PPLShapeError);
      expect(err.message).toMatch(message);
    });
  }
});

describe("ambiguous parameterisations throw PPLConfigError", () => {
  it("Bernoulli, Binomial and MultivariateNormal want exactly one parameterisation", () => {
    expect(() => dist.Bernoulli({ probs: 0.5, logits: 0 } as never)).toThrow(/^Bernoulli: give exactly one of 'probs' or 'logits'/);
    expect(() => dist.Binomial(3, {} as never)).toThrow(/^Binomial: give exactly one of 'probs' or 'logits'/);
    expect(thrown(() => dist.MultivariateNormal([0], { scaleTril: [[1]], covarianceMatrix: [[1]] } as never))).toBeInstanceOf(PPLConfigError);
  });
});

describe("setValidation(false)", () => {
  it("skips the value checks (shape checks stay on)", () => {
    setValidation(false);
    expect(() => dist.Normal(0, -1)).not.toThrow();
    expect(() => dist.Beta(0, 1)).not.toThrow();
    expect(() => dist.Uniform(1, 0)).not.toThrow();
    expect(() => dist.MultivariateNormal([0, 0], { covarianceMatrix: [[1, 2], [2, 1]] })).not.toThrow();
    expect(() => dist.Normal(tf.zeros([4]), tf.ones([5]))).toThrow(PPLShapeError);
  });
});

describe("a parameter tensor is checked once per constraint within a loss call", () => {
  it("inside a call a tensor that passed is not checked again and a failing one throws every time; a call's checks do not outlive it", () => {
    const positive = constraints.positive;
    const checks = { n: 0 };
    const check = positive.check.bind(positive);
    positive.check = (x: tf.Tensor) => {
      checks.n++;
      return check(x);
    };
    try {
      const scale = tf.tensor1d([1, 2]);
      withStepCache(() => {
        dist.Normal(0, scale);
        expect(checks.n).toBe(1);
        dist.Normal(1, scale);
        dist.HalfNormal(scale);
        expect(checks.n).toBe(1);
        const bad = tf.tensor1d([1, -1]);
        expect(() => dist.Normal(0, bad)).toThrow(PPLSupportError);
        expect(() => dist.Normal(0, bad)).toThrow(PPLSupportError);
        expect(checks.n).toBe(3);
      });
      // outside a call (and in the next one) nothing is remembered: a Variable assigned between steps is checked anew
      dist.Normal(0, scale);
      expect(checks.n).toBe(4);
      const v = tf.variable(tf.tensor1d([1, 2]));
      withStepCache(() => dist.Normal(0, v));
      v.assign(tf.tensor1d([1, -3]));
      expect(() => withStepCache(() => dist.Normal(0, v))).toThrow(/element 1 is -3/);
    } finally {
      positive.check = check;
    }
  });
});
