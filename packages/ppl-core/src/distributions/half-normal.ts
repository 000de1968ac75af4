import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, normalNoise } from "../rng.js";
import { ndtr, ndtri } from "./numerics/normal-quantile.js";
import { Parameterized } from "./base/parameterized.js";

const LOG_2_OVER_SQRT_2PI = Math.log(2) - 0.5 * Math.log(2 * Math.PI);

/** HalfNormal(scale): |X| for X ~ Normal(0, scale), on x >= 0; reparameterised. */
export class HalfNormal extends Parameterized("HalfNormal", {
  /** The underlying Normal's standard deviation (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  /** @param scale the underlying Normal's standard deviation (> 0), any shape. */
  constructor(scale: TensorLike) {
    super({ scale });
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("HalfNormal")): tf.Tensor {
    return tf.tidy(() => normalNoise(this.shape(sampleShape), seed).abs().mul(this.scale));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.div(this.scale);
      const lp = z.square().mul(-0.5).sub(this.scale.log()).add(LOG_2_OVER_SQRT_2PI);
      return tf.where(value.greaterEqual(0), lp, tf.fill(lp.shape, -Infinity));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.mul(Math.sqrt(2 / Math.PI)), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul(1 - 2 / Math.PI), this.batchShape));
  }
  /** log(scale sqrt(pi e / 2)). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(0.5 * Math.log((Math.PI * Math.E) / 2)), this.batchShape));
  }
  /** 2 Phi(value / scale) - 1 (= erf(value / (scale sqrt 2))); 0 below 0. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(value.maximum(0).div(this.scale)).mul(2).sub(1));
  }
  /** scale Phi^-1((1 + q) / 2). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtri(q.add(1).mul(0.5)).mul(this.scale));
  }
}
