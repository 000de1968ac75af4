// A distribution written outside ppl-core: one class extending Parameterized.
// Kumaraswamy(a, b) on (0, 1), density a b x^(a-1) (1 - x^a)^(b-1): Beta-like,
// with a closed-form cdf and quantile, so its draws are reparameterised.
// This file is quoted in docs/writing-a-distribution.md.
import * as tf from "@tensorflow/tfjs";
import { Parameterized, type TensorLike, broadcastTo, constraints, digamma, lgamma, nextSeed, uniformNoise } from "ppl-core";

/** Euler–Mascheroni γ: the harmonic number H_b is digamma(b + 1) + γ. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Kumaraswamy(concentration1 a, concentration0 b) on (0, 1), as Pyro's `Kumaraswamy`:
 * cdf F(x) = 1 - (1 - x^a)^b, quantile F⁻¹(q) = (1 - (1 - q)^(1/b))^(1/a).
 */
export class Kumaraswamy extends Parameterized("Kumaraswamy", {
  concentration1: constraints.positive,
  concentration0: constraints.positive,
}) {
  readonly support = constraints.unitInterval;
  override readonly hasRsample = true;

  /** @param concentration1 a > 0; @param concentration0 b > 0; they broadcast to the batch shape. */
  constructor(concentration1: TensorLike, concentration0: TensorLike) {
    super({ concentration1, concentration0 });
  }

  /** The quantile of a seeded uniform: differentiable in a and b. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed(this.name)): tf.Tensor {
    return tf.tidy(() => this.icdf(uniformNoise(this.shape(sampleShape), 0, 1, seed)));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      // log1p(-x^a) keeps precision for small x^a
      const logOneMinusXa = value.pow(a).neg().log1p();
      return a.log().add(b.log()).add(a.sub(1).mul(value.log())).add(b.sub(1).mul(logOneMinusXa));
    });
  }

  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.scalar(1).sub(value.pow(this.concentration1).neg().log1p().mul(this.concentration0).exp()));
  }

  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // 1 - (1 - q)^(1/b), written as -expm1(log1p(-q) / b) to keep precision near 0
      const inner = q.neg().log1p().div(this.concentration0).exp().neg().add(1);
      return inner.pow(tf.reciprocal(this.concentration1));
    });
  }

  /** (1 - 1/b) + (1 - 1/a) H_b - log(a b), H_b the harmonic number of b. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const harmonic = digamma(b.add(1)).add(EULER_GAMMA);
      const h = tf.scalar(1).sub(tf.reciprocal(b)).add(tf.scalar(1).sub(tf.reciprocal(a)).mul(harmonic)).sub(a.mul(b).log());
      return broadcastTo(h, this.batchShape);
    });
  }

  /** E[X^n] = b B(1 + n/a, b). */
  private moment(n: number): tf.Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const p = tf.reciprocal(a).mul(n).add(1);
    return lgamma(p).add(lgamma(b)).sub(lgamma(p.add(b))).exp().mul(b);
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.moment(1), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.moment(2).sub(this.moment(1).square()), this.batchShape));
  }
}
