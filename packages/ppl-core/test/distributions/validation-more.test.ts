// Construction-time validation of the session-5 continuous families: every declared
// argument's constraint, the broadcast check and TruncatedNormal's ordered bounds,
// each with its message naming the family, the argument, the value and the expectation.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { PPLModelError, PPLShapeError, PPLSupportError, dist, setValidation } from "ppl-core";
import { thrown } from "./helpers.js";

afterEach(() => setValidation(true));

const supportCases: [string, () => unknown, RegExp][] = [
  ["Cauchy loc NaN", () => dist.Cauchy(NaN, 1), /^Cauchy: parameter 'loc' must be real, but element 0 is NaN/],
  ["Cauchy scale = 0", () => dist.Cauchy(0, [1, 0]), /^Cauchy: parameter 'scale' must be positive, but element 1 is 0/],
  ["HalfCauchy scale < 0", () => dist.HalfCauchy(-1), /^HalfCauchy: parameter 'scale' must be positive, but element 0 is -1/],
  ["InverseGamma concentration = 0", () => dist.InverseGamma(0, 1), /^InverseGamma: parameter 'concentration' must be positive, but element 0 is 0/],
  ["InverseGamma rate infinite", () => dist.InverseGamma(2, Infinity), /^InverseGamma: parameter 'rate' must be positive, but element 0 is Infinity/],
  ["Chi2 df < 0", () => dist.Chi2([3, -1]), /^Chi2: parameter 'df' must be positive, but element 1 is -1/],
  ["Weibull scale = 0", () => dist.Weibull(0, 1), /^Weibull: parameter 'scale' must be positive, but element 0 is 0/],
  ["Weibull concentration NaN", () => dist.Weibull(1, NaN), /^Weibull: parameter 'concentration' must be positive, but element 0 is NaN/],
  ["Gumbel loc infinite", () => dist.Gumbel(-Infinity, 1), /^Gumbel: parameter 'loc' must be real, but element 0 is -Infinity/],
  ["Gumbel scale < 0", () => dist.Gumbel(0, -2), /^Gumbel: parameter 'scale' must be positive, but element 0 is -2/],
  ["Logistic loc NaN", () => dist.Logistic(NaN, 1), /^Logistic: parameter 'loc' must be real, but element 0 is NaN/],
  ["Logistic scale = 0", () => dist.Logistic(0, 0), /^Logistic: parameter 'scale' must be positive, but element 0 is 0/],
  ["VonMises loc infinite", () => dist.VonMises(Infinity, 1), /^VonMises: parameter 'loc' must be real, but element 0 is Infinity/],
  ["VonMises concentration = 0", () => dist.VonMises(0, [2, 0]), /^VonMises: parameter 'concentration' must be positive, but element 1 is 0/],
  ["TruncatedNormal loc NaN", () => dist.TruncatedNormal(NaN, 1, 0, 1), /^TruncatedNormal: parameter 'loc' must be real, but element 0 is NaN/],
  ["TruncatedNormal scale < 0", () => dist.TruncatedNormal(0, -1, 0, 1), /^TruncatedNormal: parameter 'scale' must be positive, but element 0 is -1/],
  ["TruncatedNormal low NaN", () => dist.TruncatedNormal(0, 1, NaN, 1), /^TruncatedNormal: parameter 'low' must be extendedReal, but element 0 is NaN/],
  ["TruncatedNormal high NaN", () => dist.TruncatedNormal(0, 1, 0, [1, NaN]), /^TruncatedNormal: parameter 'high' must be extendedReal, but element 1 is NaN/],
  ["TruncatedNormal high <= low", () => dist.TruncatedNormal(0, 1, [0, 2], [1, 2]),
    /^TruncatedNormal: parameter 'high' must be greater than 'low', but element 1 has low = 2 and high = 2/],
];

// the constraints of the older families that validation.test.ts does not reach
const olderCases: [string, () => unknown, RegExp][] = [
  ["Normal loc infinite", () => dist.Normal(Infinity, 1), /^Normal: parameter 'loc' must be real, but element 0 is Infinity/],
  ["LogNormal scale < 0", () => dist.LogNormal(0, [1, -1]), /^LogNormal: parameter 'scale' must be positive, but element 1 is -1/],
  ["Laplace loc NaN", () => dist.Laplace(NaN, 1), /^Laplace: parameter 'loc' must be real, but element 0 is NaN/],
  ["StudentT loc infinite", () => dist.StudentT(3, -Infinity, 1), /^StudentT: parameter 'loc' must be real, but element 0 is -Infinity/],
  ["StudentT scale = 0", () => dist.StudentT(3, 0, 0), /^StudentT: parameter 'scale' must be positive, but element 0 is 0/],
  ["Uniform high NaN", () => dist.Uniform(0, NaN), /^Uniform: parameter 'high' must be real, but element 0 is NaN/],
  ["Gamma concentration < 0", () => dist.Gamma([-1, 1], 1), /^Gamma: parameter 'concentration' must be positive, but element 0 is -1/],
  ["Dirichlet concentration NaN in a batch", () => dist.Dirichlet([[1, 2], [NaN, 1]]), /^Dirichlet: parameter 'concentration' must be positive, but element 2 is NaN/],
];

describe("the older continuous families' remaining constraints throw PPLSupportError", () => {
  for (const [name, make, message] of olderCases) {
    it(name, () => {
      const err = thrown(make);
      expect(err).toBeInstanceOf(PPLSupportError);
      expect(err.message).toMatch(message);
    });
  }
});

describe("the new families' arguments out of support throw PPLSupportError", () => {
  for (const [name, make, message] of supportCases) {
    it(name, () => {
      const err = thrown(make);
      expect(err).toBeInstanceOf(PPLSupportError);
      expect(err.message).toMatch(message);
    });
  }
  it("infinite truncation bounds are allowed", () => {
    expect(() => dist.TruncatedNormal(0, 1, -Infinity, Infinity)).not.toThrow();
    expect(() => dist.TruncatedNormal(0, 1, 0, Infinity)).not.toThrow();
  });
});

describe("the new families' argument shapes must broadcast", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["Cauchy", () => dist.Cauchy(tf.zeros([3]), tf.ones([2])), /^Cauchy: parameter shapes do not broadcast: loc \[3\], scale \[2\]/],
    ["InverseGamma", () => dist.InverseGamma(tf.ones([2, 3]), tf.ones([4])), /^InverseGamma: parameter shapes do not broadcast: concentration \[2, 3\], rate \[4\]/],
    ["Weibull", () => dist.Weibull(tf.ones([3]), tf.ones([2])), /^Weibull: parameter shapes do not broadcast: scale \[3\], concentration \[2\]/],
    ["Gumbel", () => dist.Gumbel(tf.zeros([3]), tf.ones([2])), /^Gumbel: parameter shapes do not broadcast: loc \[3\], scale \[2\]/],
    ["Logistic", () => dist.Logistic(tf.zeros([3]), tf.ones([2])), /^Logistic: parameter shapes do not broadcast: loc \[3\], scale \[2\]/],
    ["VonMises", () => dist.VonMises(tf.zeros([3]), tf.ones([2])), /^VonMises: parameter shapes do not broadcast: loc \[3\], concentration \[2\]/],
    ["TruncatedNormal", () => dist.TruncatedNormal(0, 1, tf.zeros([3]), tf.ones([2])),
      /^TruncatedNormal: parameter shapes do not broadcast: loc \[\], scale \[\], low \[3\], high \[2\]/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const err = thrown(make);
      expect(err).toBeInstanceOf(PPLShapeError);
      expect(err.message).toMatch(message);
    });
  }
});

describe("setValidation(false) skips the value checks of the new families", () => {
  it("builds out-of-support arguments without a check", () => {
    setValidation(false);
    expect(() => dist.Cauchy(0, -1)).not.toThrow();
    expect(() => dist.VonMises(0, -1)).not.toThrow();
    expect(() => dist.TruncatedNormal(0, 1, 2, 1)).not.toThrow();
  });
});

describe("entropy, cdf and icdf without a closed form say so", () => {
  it("throws PPLModelError naming the family", () => {
    expect(thrown(() => dist.VonMises(0, 1).cdf(tf.scalar(0)))).toBeInstanceOf(PPLModelError);
    expect(thrown(() => dist.Gamma(2, 1).icdf(tf.scalar(0.5))).message).toMatch(/^Gamma has no closed-form icdf/);
    expect(thrown(() => dist.InverseGamma(2, 1).cdf(tf.scalar(1))).message).toMatch(/^InverseGamma has no closed-form cdf/);
    expect(thrown(() => dist.Delta(1).entropy()).message).toMatch(/^Delta has no closed-form entropy/);
  });
});
