import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { digamma, lgamma, logBeta } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed, normalNoise } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { rsampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized } from "./base/parameterized.js";

/** Student's t with `df` degrees of freedom, location and scale; reparameterised in all three. */
export class StudentT extends Parameterized("StudentT", {
  /** Degrees of freedom (> 0). */
  df: positive,
  /** The location. */
  loc: real,
  /** The scale (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param df degrees of freedom (> 0); @param loc (default 0); @param scale (> 0, default 1); all broadcasting. */
  constructor(df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1) {
    super({ df, loc, scale });
  }

  /** loc + scale Z / sqrt(V / df) with V = 2 Gamma(df / 2) ~ chi-square(df): reparameterised in all three. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("StudentT")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const z = normalNoise(shape, seed);
      const halfV = rsampleStandardGamma(broadcastTo(this.df.mul(0.5), shape), hashSeed(seed, "StudentT.chi2"));
      // V / df = halfV / (df / 2)
      return z.mul(halfV.div(this.df.mul(0.5)).rsqrt()).mul(this.scale).add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const df = this.df;
      const z = value.sub(this.loc).div(this.scale);
      const halfDfPlusHalf = df.add(1).mul(0.5);
      return lgamma(halfDfPlusHalf)
        .sub(lgamma(df.mul(0.5)))
        .sub(df.mul(Math.PI).log().mul(0.5))
        .sub(this.scale.log())
        .sub(halfDfPlusHalf.mul(z.square().div(df).log1p()));
    });
  }

  /** Only for StudentT itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(StudentT);
  }

  /** All rows in one pass of the tensor expression: one gradient each for df, loc and scale. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** loc where df > 1, NaN otherwise (the mean does not exist). */
  override get mean(): tf.Tensor {
    return tf.tidy(() => {
      const m = broadcastTo(this.loc, this.batchShape);
      return tf.where(broadcastTo(this.df.greater(1), this.batchShape), m, tf.fill(m.shape, NaN));
    });
  }
  /** scale^2 df / (df - 2) where df > 2, Infinity for 1 < df <= 2, NaN for df <= 1. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const df = broadcastTo(this.df, this.batchShape);
      const v = broadcastTo(this.scale.square().mul(this.df).div(this.df.sub(2)), this.batchShape);
      const inf = tf.fill(df.shape, Infinity);
      return tf.where(df.greater(2), v, tf.where(df.greater(1), inf, tf.fill(df.shape, NaN)));
    });
  }
  /** (df+1)/2 (psi((df+1)/2) - psi(df/2)) + log(sqrt(df) B(df/2, 1/2)) + log scale. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const half = this.df.mul(0.5);
      const halfPlus = this.df.add(1).mul(0.5);
      const h = halfPlus
        .mul(digamma(halfPlus).sub(digamma(half)))
        .add(this.df.log().mul(0.5))
        .add(logBeta(half, tf.onesLike(half).mul(0.5)))
        .add(this.scale.log());
      return broadcastTo(h, this.batchShape);
    });
  }
}
