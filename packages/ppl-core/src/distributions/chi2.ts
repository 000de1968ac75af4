import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive } from "../constraints/constraint.js";
import { digamma, lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { TINY } from "./gamma.js";
import { rsampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized } from "./base/parameterized.js";

const LOG_2 = Math.log(2);

/**
 * Chi2(df): the chi-squared law with `df` degrees of freedom, i.e. Gamma(df / 2, 1 / 2), density
 * x^(df/2 - 1) e^(-x/2) / (2^(df/2) Gamma(df/2)) on x > 0; reparameterised in df.
 * @example
 * ```ts
 * const q = sample("q", dist.Chi2(3));
 * ```
 */
export class Chi2 extends Parameterized("Chi2", {
  /** Degrees of freedom (> 0). */
  df: positive,
}) {
  readonly support: Constraint = positive;
  override readonly hasRsample = true;

  /** @param df degrees of freedom (> 0, need not be an integer), any shape. */
  constructor(df: TensorLike) {
    super({ df });
  }

  /** 2 G with G ~ Gamma(df / 2, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Chi2")): tf.Tensor {
    return tf.tidy(() => rsampleStandardGamma(broadcastTo(this.df.mul(0.5), this.shape(sampleShape)), seed).mul(2).maximum(TINY));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const half = this.df.mul(0.5);
      return xlogy(half.sub(1), value).sub(value.mul(0.5)).sub(half.mul(LOG_2)).sub(lgamma(half));
    });
  }

  /** df. */
  override get mean(): tf.Tensor {
    return broadcastTo(this.df, this.batchShape);
  }
  /** 2 df. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.df.mul(2), this.batchShape));
  }
  /** df/2 + log 2 + lgamma(df/2) + (1 - df/2) psi(df/2). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const h = this.df.mul(0.5);
      return broadcastTo(h.add(LOG_2).add(lgamma(h)).add(tf.scalar(1).sub(h).mul(digamma(h))), this.batchShape);
    });
  }
}
