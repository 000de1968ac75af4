import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive } from "../constraints/constraint.js";
import { digamma, lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { rsampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized } from "./base/parameterized.js";

/** float32's smallest normal number: draws are clamped to it so log(x) stays finite. */
export const TINY = 1.1754944e-38;

/**
 * Gamma(concentration, rate), density x^(a-1) e^(-rate x) rate^a / Gamma(a).
 * Reparameterised by implicit differentiation of the CDF (numerics/gamma-sampler.ts).
 */
export class Gamma extends Parameterized("Gamma", {
  /** The shape a (> 0). */
  concentration: positive,
  /** The rate, 1 / scale (> 0). */
  rate: positive,
}) {
  readonly support: Constraint = positive;
  override readonly hasRsample = true;

  /** @param concentration shape a (> 0); @param rate inverse scale (> 0), broadcasting with it. */
  constructor(concentration: TensorLike, rate: TensorLike) {
    super({ concentration, rate });
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Gamma")): tf.Tensor {
    return tf.tidy(() => {
      const g = rsampleStandardGamma(broadcastTo(this.concentration, this.shape(sampleShape)), seed);
      return g.div(this.rate).maximum(TINY);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      return xlogy(a.sub(1), value).sub(this.rate.mul(value)).add(xlogy(a, this.rate)).sub(lgamma(a));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.div(this.rate), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.div(this.rate.square()), this.batchShape));
  }
  /** a - log rate + lgamma(a) + (1 - a) psi(a). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const h = a.sub(this.rate.log()).add(lgamma(a)).add(tf.scalar(1).sub(a).mul(digamma(a)));
      return broadcastTo(h, this.batchShape);
    });
  }
}
