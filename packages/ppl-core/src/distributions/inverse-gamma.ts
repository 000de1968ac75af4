import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive } from "../constraints/constraint.js";
import { digamma, lgamma } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { rsampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized } from "./base/parameterized.js";

/** float32's largest finite value: a draw 1 / G with G underflowed to 0 is clamped to it. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * InverseGamma(concentration, rate): 1 / X for X ~ Gamma(concentration, rate), density
 * rate^a x^(-a-1) e^(-rate / x) / Gamma(a) on x > 0 (a = concentration); reparameterised through
 * the Gamma draw. The conjugate prior of a Normal's variance.
 * @example
 * ```ts
 * const sigma2 = sample("sigma2", dist.InverseGamma(3, 2));
 * ```
 */
export class InverseGamma extends Parameterized("InverseGamma", {
  /** The shape a (> 0). */
  concentration: positive,
  /** The scale of x (> 0): 1 / x ~ Gamma(a, rate). */
  rate: positive,
}) {
  readonly support: Constraint = positive;
  override readonly hasRsample = true;

  /** @param concentration shape a (> 0); @param rate scale of x (> 0), broadcasting with it. */
  constructor(concentration: TensorLike, rate: TensorLike) {
    super({ concentration, rate });
  }

  /** rate / G with G ~ Gamma(concentration, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("InverseGamma")): tf.Tensor {
    return tf.tidy(() => {
      const g = rsampleStandardGamma(broadcastTo(this.concentration, this.shape(sampleShape)), seed);
      return this.rate.div(g).minimum(FLOAT32_MAX);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      return a.mul(this.rate.log()).sub(lgamma(a)).sub(a.add(1).mul(value.log())).sub(this.rate.div(value));
    });
  }

  /** rate / (a - 1) for a > 1, Infinity otherwise. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => {
      const a = broadcastTo(this.concentration, this.batchShape);
      const m = broadcastTo(this.rate.div(this.concentration.sub(1)), this.batchShape);
      return tf.where(a.greater(1), m, tf.fill(m.shape, Infinity));
    });
  }
  /** rate^2 / ((a - 1)^2 (a - 2)) for a > 2, Infinity otherwise. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const a = broadcastTo(this.concentration, this.batchShape);
      const am1 = this.concentration.sub(1);
      const v = broadcastTo(this.rate.square().div(am1.square().mul(this.concentration.sub(2))), this.batchShape);
      return tf.where(a.greater(2), v, tf.fill(v.shape, Infinity));
    });
  }
  /** a + log(rate) + lgamma(a) - (1 + a) psi(a). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      return broadcastTo(a.add(this.rate.log()).add(lgamma(a)).sub(a.add(1).mul(digamma(a))), this.batchShape);
    });
  }
}
