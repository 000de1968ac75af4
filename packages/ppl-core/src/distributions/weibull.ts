import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { EULER_GAMMA } from "./gumbel.js";
import { Parameterized } from "./base/parameterized.js";

/**
 * Weibull(scale, concentration), Pyro's argument order: density
 * (k / lambda) (x / lambda)^(k - 1) exp(-(x / lambda)^k) on x >= 0, with lambda = scale and
 * k = concentration; reparameterised.
 * @example
 * ```ts
 * const lifetime = sample("lifetime", dist.Weibull(100, 1.5));
 * ```
 */
export class Weibull extends Parameterized("Weibull", {
  /** The scale lambda (> 0). */
  scale: positive,
  /** The shape k (> 0). */
  concentration: positive,
}) {
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  /** @param scale lambda (> 0); @param concentration shape k (> 0), broadcasting with scale. */
  constructor(scale: TensorLike, concentration: TensorLike) {
    super({ scale, concentration });
  }

  /** lambda (-log(1 - u))^(1/k), u uniform on [0, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Weibull")): tf.Tensor {
    return tf.tidy(() => {
      const e = uniformNoise(this.shape(sampleShape), 0, 1, seed).neg().log1p().neg();
      return e.pow(this.concentration.reciprocal()).mul(this.scale);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = this.concentration;
      // xlogy: at x = 0 the k = 1 density is 1 / lambda, not 0 * -Infinity
      const z = value.maximum(0).div(this.scale);
      const lp = k.log().sub(this.scale.log()).add(xlogy(k.sub(1), z)).sub(z.pow(k));
      return tf.where(value.greaterEqual(0), lp, tf.fill(lp.shape, -Infinity));
    });
  }

  /** lambda Gamma(1 + 1/k). */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(lgamma(this.concentration.reciprocal().add(1)).exp().mul(this.scale), this.batchShape));
  }
  /** lambda^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2). */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const inv = this.concentration.reciprocal();
      const g1 = lgamma(inv.add(1)).exp();
      const g2 = lgamma(inv.mul(2).add(1)).exp();
      return broadcastTo(g2.sub(g1.square()).mul(this.scale.square()), this.batchShape);
    });
  }
  /** Euler's gamma (1 - 1/k) + log(lambda / k) + 1. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const k = this.concentration;
      const h = tf.scalar(1).sub(k.reciprocal()).mul(EULER_GAMMA).add(this.scale.log()).sub(k.log()).add(1);
      return broadcastTo(h, this.batchShape);
    });
  }
  /** 1 - exp(-(value / lambda)^k); 0 below 0. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.maximum(0).div(this.scale).pow(this.concentration).neg().expm1().neg());
  }
  /** lambda (-log(1 - q))^(1/k). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.neg().log1p().neg().pow(this.concentration.reciprocal()).mul(this.scale));
  }
}
