import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegativeInteger, positive } from "../constraints/constraint.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { sampleGammaPoissonMixture } from "./negative-binomial.js";
import { Parameterized } from "./base/parameterized.js";

/**
 * GammaPoisson(concentration, rate) over {0, 1, 2, ...}: a Poisson count
 * whose rate is Gamma(concentration, rate) distributed, integrated out
 * (Pyro's `GammaPoisson`; the negative binomial with totalCount =
 * concentration and probs = 1 / (1 + rate)). Mean a / b, variance a (1 + b) / b².
 *
 * @example
 * ```ts
 * // overdispersed counts with mean 4 and variance 4 * (1 + 0.5) / 0.5 = 12
 * const d = dist.GammaPoisson(2, 0.5);
 * ```
 */
export class GammaPoisson extends Parameterized("GammaPoisson", {
  /** The gamma's shape a > 0. */
  concentration: positive,
  /** The gamma's rate b > 0. */
  rate: positive,
}) {
  /** {0, 1, 2, ...}. */
  readonly support: Constraint = nonnegativeInteger;

  /**
   * @param concentration the gamma's shape a > 0.
   * @param rate the gamma's rate b > 0; the two broadcast to the batch shape.
   */
  constructor(concentration: TensorLike, rate: TensorLike) {
    super({ concentration, rate });
  }

  /** A Gamma(a, b) rate, then a Poisson count: seeded, in float64 JS. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("GammaPoisson")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const a = broadcastTo(this.concentration, shape).dataSync();
      const scale = broadcastTo(tf.reciprocal(this.rate), shape).dataSync();
      return tf.tensor(sampleGammaPoissonMixture(a, scale, seed), shape, "float32");
    });
  }

  /** Γ(a + k) / (Γ(a) k!) b^a / (1 + b)^(a + k). */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      const a = this.concentration;
      const b = this.rate;
      const post = a.add(k);
      return lgamma(post).sub(lgamma(a)).sub(lgamma(k.add(1))).add(xlogy(a, b)).sub(post.mul(b.log1p()));
    });
  }

  /** Only for GammaPoisson itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(GammaPoisson);
  }

  /** All rows in one pass of the tensor expression: one gradient per parameter. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** a / b, shape batchShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.div(this.rate), this.batchShape));
  }
  /** a (1 + b) / b², shape batchShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.mul(this.rate.add(1)).div(this.rate.square()), this.batchShape));
  }
}
