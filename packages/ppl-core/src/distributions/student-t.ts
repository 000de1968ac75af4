import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { lgamma } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed } from "../rng.js";
import { logProbOnLayout, paramKey } from "./batched-layout.js";
import { Distribution } from "./distribution.js";
import { rsampleStandardGamma } from "./gamma-sampler.js";
import { asFloat, checkParam, paramBatchShape } from "./validate.js";

/** Student's t with `df` degrees of freedom, location and scale. */
export class StudentT extends Distribution {
  readonly name = "StudentT";
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = real;
  override readonly hasRsample = true;
  private readonly key: readonly unknown[];

  constructor(df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1) {
    super();
    this.df = asFloat(df);
    this.loc = asFloat(loc);
    this.scale = asFloat(scale);
    this.key = [paramKey(df, this.df), paramKey(loc, this.loc), paramKey(scale, this.scale)];
    this.batchShape = paramBatchShape(this.name, { df: this.df.shape, loc: this.loc.shape, scale: this.scale.shape });
    checkParam(this.name, "df", this.df, positive);
    checkParam(this.name, "loc", this.loc, real);
    checkParam(this.name, "scale", this.scale, positive);
  }

  /** loc + scale Z / sqrt(V / df) with V = 2 Gamma(df / 2) ~ chi-square(df): reparameterised in all three. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("StudentT")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const z = tf.randomNormal(shape, 0, 1, "float32", seed);
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
    return this.constructor === StudentT ? [StudentT, ...this.key] : undefined;
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
}
