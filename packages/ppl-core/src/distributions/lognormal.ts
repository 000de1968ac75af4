import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { logNormalLogProb } from "../ops/normal-logprob.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, normalNoise } from "../rng.js";
import { batchedLayout } from "./base/batched-layout.js";
import { LOG_SQRT_2PI_E, ndtr, ndtri } from "./numerics/normal-quantile.js";
import { Parameterized } from "./base/parameterized.js";

/**
 * LogNormal(loc, scale): exp of a Normal(loc, scale) variable, on x > 0.
 * @example
 * ```ts
 * const income = sample("income", dist.LogNormal(10, 0.5));
 * ```
 */
export class LogNormal extends Parameterized("LogNormal", {
  /** The mean of log x. */
  loc: real,
  /** The standard deviation of log x (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = positive;
  override readonly hasRsample = true;

  /** @param loc mean of log x; @param scale standard deviation of log x (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("LogNormal")): tf.Tensor {
    return tf.tidy(() => normalNoise(this.shape(sampleShape), seed).mul(this.scale).add(this.loc).exp());
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return logNormalLogProb(value, this.loc, this.scale);
  }

  /** Only for LogNormal itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(LogNormal);
  }

  /** One fused op over all rows: loc and scale are read once and get one gradient each. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    const layout = batchedLayout(this.name, values, [batchShape, this.batchShape]);
    return logNormalLogProb(layout.values, this.loc, this.scale, layout.outShape);
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.loc.add(this.scale.square().mul(0.5)).exp(), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const s2 = this.scale.square();
      return broadcastTo(s2.exp().sub(1).mul(this.loc.mul(2).add(s2).exp()), this.batchShape);
    });
  }
  /** loc + log(scale sqrt(2 pi e)). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.loc.add(this.scale.log()).add(LOG_SQRT_2PI_E), this.batchShape));
  }
  /** Phi((log value - loc) / scale); 0 at value <= 0. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(value.maximum(0).log().sub(this.loc).div(this.scale)));
  }
  /** exp(loc + scale Phi^-1(q)). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtri(q).mul(this.scale).add(this.loc).exp());
  }
}
