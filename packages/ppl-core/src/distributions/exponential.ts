import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { Parameterized } from "./base/parameterized.js";

/** Exponential(rate): density rate e^(-rate x) on x >= 0; reparameterised. */
export class Exponential extends Parameterized("Exponential", {
  /** The rate, 1 / mean (> 0). */
  rate: positive,
}) {
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  /** @param rate inverse mean (> 0), any shape. */
  constructor(rate: TensorLike) {
    super({ rate });
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Exponential")): tf.Tensor {
    // inverse CDF; u in [0, 1) so log1p(-u) is finite
    return tf.tidy(() => uniformNoise(this.shape(sampleShape), 0, 1, seed).neg().log1p().neg().div(this.rate));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.rate.log().sub(this.rate.mul(value)));
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.rate.reciprocal(), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.rate.square().reciprocal(), this.batchShape));
  }
  /** 1 - log(rate). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.rate.log().neg().add(1), this.batchShape));
  }
  /** 1 - e^(-rate value); 0 below 0. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.rate.mul(value.maximum(0)).neg().expm1().neg());
  }
  /** -log(1 - q) / rate. */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.neg().log1p().neg().div(this.rate));
  }
}
