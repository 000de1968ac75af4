import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { Parameterized } from "./base/parameterized.js";

/** Euler–Mascheroni constant. */
export const EULER_GAMMA = 0.5772156649015329;
/** Smallest float32 above 0 and largest below 1 that keep log(-log u) finite. */
const U_MIN = 2 ** -24;
const U_MAX = 1 - 2 ** -24;

/**
 * Gumbel(loc, scale), the type-I extreme value law: with z = (x - loc) / scale the density is
 * exp(-(z + e^-z)) / scale; reparameterised.
 * @example
 * ```ts
 * const peak = sample("peak", dist.Gumbel(10, 2));
 * ```
 */
export class Gumbel extends Parameterized("Gumbel", {
  /** The mode. */
  loc: real,
  /** The scale (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param loc mode, any shape; @param scale (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  /** loc - scale log(-log u), u uniform on (0, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Gumbel")): tf.Tensor {
    return tf.tidy(() => {
      const u = uniformNoise(this.shape(sampleShape), U_MIN, U_MAX, seed);
      return u.log().neg().log().mul(this.scale).neg().add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.sub(this.loc).div(this.scale);
      return z.add(z.neg().exp()).add(this.scale.log()).neg();
    });
  }

  /** Only for Gumbel itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(Gumbel);
  }

  /** All rows in one pass of the tensor expression: one gradient each for loc and scale. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** loc + scale * Euler's gamma. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.mul(EULER_GAMMA).add(this.loc), this.batchShape));
  }
  /** (pi scale)^2 / 6. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul((Math.PI * Math.PI) / 6), this.batchShape));
  }
  /** log(scale) + Euler's gamma + 1. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(EULER_GAMMA + 1), this.batchShape));
  }
  /** exp(-exp(-(value - loc) / scale)). */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).div(this.scale).neg().exp().neg().exp());
  }
  /** loc - scale log(-log q). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.log().neg().log().mul(this.scale).neg().add(this.loc));
  }
}
