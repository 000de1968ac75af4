// TransformedDistribution.cdf / icdf through monotone elementwise transforms (Pyro's
// TransformedDistribution.cdf): against closed forms of the transformed laws, an
// affine map with a negative scale reversing the cdf, and the error for a coupled transform.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLModelError, dist, transforms } from "ppl-core";
import { expectClose, thrown, vals } from "./helpers.js";
import { ndtr64 } from "./reference.js";

describe("TransformedDistribution cdf and icdf", () => {
  it("exp of a Normal has the LogNormal cdf Phi((log y - m) / s), and icdf inverts it", () => {
    tf.tidy(() => {
      const d = dist.TransformedDistribution(dist.Normal(0.3, 0.8), new transforms.ExpTransform());
      const ys = [0.2, 1, 3.5];
      expectClose(vals(d.cdf(tf.tensor1d(ys))), ys.map((y) => ndtr64((Math.log(y) - 0.3) / 0.8)), 2e-6, 1e-5, "cdf");
      const qs = [0.05, 0.5, 0.9];
      const back = vals(d.icdf(tf.tensor1d(qs))).map((y) => ndtr64((Math.log(y) - 0.3) / 0.8));
      expectClose(back, qs, 2e-6, 1e-5, "cdf_ref(icdf)");
    });
  });

  it("an affine map with a negative scale reverses the cdf: Y = 2 - 3 X, X ~ Exponential(1.5)", () => {
    tf.tidy(() => {
      const d = dist.TransformedDistribution(dist.Exponential(1.5), [new transforms.AffineTransform(2, -3)]);
      // P(Y <= y) = P(X >= (2 - y) / 3) = exp(-1.5 (2 - y) / 3) for y <= 2
      const ref = (y: number) => Math.exp((-1.5 * (2 - y)) / 3);
      const ys = [-4, 0, 1.9];
      expectClose(vals(d.cdf(tf.tensor1d(ys))), ys.map(ref), 2e-6, 1e-5, "cdf");
      const qs = [0.1, 0.5, 0.95];
      expectClose(vals(d.icdf(tf.tensor1d(qs))).map(ref), qs, 2e-6, 1e-5, "cdf_ref(icdf)");
    });
  });

  it("per-element signs of a tensor scale, composed with a sigmoid", () => {
    tf.tidy(() => {
      const t = [new transforms.SigmoidTransform(), new transforms.AffineTransform(0, tf.tensor1d([2, -2]))];
      const d = dist.TransformedDistribution(dist.Normal(0, 1), t);
      // y = +-2 sigmoid(x): P(Y <= y) = Phi(logit(y / 2)) for +, 1 - Phi(logit(-y / 2)) for -
      const logit = (p: number) => Math.log(p / (1 - p));
      const c = vals(d.cdf(tf.tensor1d([1.2, -0.5])));
      expectClose(c, [ndtr64(logit(0.6)), 1 - ndtr64(logit(0.25))], 2e-6, 1e-5, "cdf");
    });
  });

  it("a transform that couples dims has no cdf: PPLModelError naming it", () => {
    const d = dist.TransformedDistribution(dist.Normal(tf.zeros([2]), 1), new transforms.StickBreakingTransform());
    const err = thrown(() => d.cdf(tf.tensor1d([0.2, 0.3, 0.5])));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toMatch(/cdf: needs a scalar base and elementwise monotone transforms .* got 'stickBreaking'/);
  });
});
