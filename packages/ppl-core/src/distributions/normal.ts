import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { normalLogProb } from "../ops/normal-logprob.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { batchedLayout } from "./base/batched-layout.js";
import { Parameterized } from "./base/parameterized.js";
import { rsampleNormal } from "./numerics/normal-sampler.js";
import { LOG_SQRT_2PI_E, ndtr, ndtri } from "./numerics/normal-quantile.js";

/**
 * Normal(loc, scale): density exp(-((x - loc) / scale)^2 / 2) / (scale sqrt(2 pi)).
 * `loc` and `scale` broadcast to the batch shape; reparameterised.
 * @example
 * ```ts
 * const x = sample("x", dist.Normal(0, 1));
 * ```
 */
export class Normal extends Parameterized("Normal", {
  /** The mean. */
  loc: real,
  /** The standard deviation (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param loc mean, any shape; @param scale standard deviation (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  /** loc + scale · ε, one op (numerics/normal-sampler.ts). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Normal")): tf.Tensor {
    return rsampleNormal(this.loc, this.scale, this.shape(sampleShape), seed);
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return normalLogProb(value, this.loc, this.scale);
  }

  /** Only for Normal itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(Normal);
  }

  /** One fused op over all rows: loc and scale are read once and get one gradient each. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    const layout = batchedLayout(this.name, values, [batchShape, this.batchShape]);
    return normalLogProb(layout.values, this.loc, this.scale, layout.outShape);
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcastTo(this.scale.square(), this.batchShape);
  }
  /** log(scale sqrt(2 pi e)). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(LOG_SQRT_2PI_E), this.batchShape));
  }
  /** Phi((value - loc) / scale). */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(value.sub(this.loc).div(this.scale)));
  }
  /** loc + scale Phi^-1(q). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtri(q).mul(this.scale).add(this.loc));
  }
}
