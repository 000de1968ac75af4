import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { Parameterized } from "./base/parameterized.js";

/** Largest float32 below 1: tan(pi u / 2) stays finite for u in [0, 1). */
const U_MAX = 1 - 2 ** -24;

/**
 * HalfCauchy(scale): |X| for X ~ Cauchy(0, scale), density 2 / (pi scale (1 + (x / scale)^2)) on x >= 0;
 * reparameterised. A common weakly informative prior on a scale (Gelman 2006).
 * The mean and variance are infinite.
 * @example
 * ```ts
 * const tau = sample("tau", dist.HalfCauchy(5));
 * ```
 */
export class HalfCauchy extends Parameterized("HalfCauchy", {
  /** The underlying Cauchy's scale (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  /** @param scale the underlying Cauchy's scale (> 0), any shape. */
  constructor(scale: TensorLike) {
    super({ scale });
  }

  /** scale tan(pi u / 2), u uniform on [0, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("HalfCauchy")): tf.Tensor {
    return tf.tidy(() => uniformNoise(this.shape(sampleShape), 0, U_MAX, seed).mul(Math.PI / 2).tan().mul(this.scale));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.div(this.scale);
      const lp = z.square().log1p().add(this.scale.log()).neg().add(Math.log(2 / Math.PI));
      return tf.where(value.greaterEqual(0), lp, tf.fill(lp.shape, -Infinity));
    });
  }

  /** Infinity: E|X| diverges. */
  override get mean(): tf.Tensor {
    return tf.fill([...this.batchShape], Infinity);
  }
  /** Infinity. */
  override get variance(): tf.Tensor {
    return tf.fill([...this.batchShape], Infinity);
  }
  /** log(2 pi scale). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(Math.log(2 * Math.PI)), this.batchShape));
  }
  /** (2 / pi) atan(value / scale); 0 below 0. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.maximum(0).div(this.scale).atan().mul(2 / Math.PI));
  }
  /** scale tan(pi q / 2). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.mul(Math.PI / 2).tan().mul(this.scale));
  }
}
