import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { Parameterized } from "./base/parameterized.js";

/** Smallest float32 above 0 and largest below 1 that keep the logit finite. */
const U_MIN = 2 ** -24;
const U_MAX = 1 - 2 ** -24;

/**
 * Logistic(loc, scale): with z = (x - loc) / scale the density is e^-z / (scale (1 + e^-z)^2),
 * the cdf sigmoid(z); reparameterised.
 * @example
 * ```ts
 * const latent = sample("latent", dist.Logistic(0, 1)); // latent > 0 is a logistic regression's outcome
 * ```
 */
export class Logistic extends Parameterized("Logistic", {
  /** The mean and median. */
  loc: real,
  /** The scale (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param loc mean and median, any shape; @param scale (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  /** loc + scale logit(u), u uniform on (0, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Logistic")): tf.Tensor {
    return tf.tidy(() => {
      const u = uniformNoise(this.shape(sampleShape), U_MIN, U_MAX, seed);
      return u.log().sub(u.neg().log1p()).mul(this.scale).add(this.loc);
    });
  }

  /** -|z| - 2 log(1 + e^-|z|) - log scale: symmetric in z, so the softplus never overflows. */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = value.sub(this.loc).div(this.scale).abs();
      return a.add(a.neg().exp().log1p().mul(2)).add(this.scale.log()).neg();
    });
  }

  /** Only for Logistic itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(Logistic);
  }

  /** All rows in one pass of the tensor expression: one gradient each for loc and scale. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  /** (pi scale)^2 / 3. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul((Math.PI * Math.PI) / 3), this.batchShape));
  }
  /** log(scale) + 2. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(2), this.batchShape));
  }
  /** sigmoid((value - loc) / scale). */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).div(this.scale).sigmoid());
  }
  /** loc + scale log(q / (1 - q)). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.log().sub(q.neg().log1p()).mul(this.scale).add(this.loc));
  }
}
