import * as tf from "@tensorflow/tfjs";
import { type Constraint, nonnegativeInteger, positive } from "../constraints/constraint.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { samplePoisson } from "./discrete-samplers.js";
import { logProbOnLayout, paramKey } from "./batched-layout.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam } from "./validate.js";

/** Poisson(rate) over {0, 1, 2, ...}; values are float32 counts. */
export class Poisson extends Distribution {
  readonly name = "Poisson";
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = nonnegativeInteger;
  private readonly key: unknown;

  constructor(rate: TensorLike) {
    super();
    this.rate = asFloat(rate);
    this.key = paramKey(rate, this.rate);
    this.batchShape = this.rate.shape;
    checkParam(this.name, "rate", this.rate, positive);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Poisson")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      return tf.tensor(samplePoisson(broadcastTo(this.rate, shape).dataSync(), seed), shape, "float32");
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      return xlogy(k, this.rate).sub(this.rate).sub(lgamma(k.add(1)));
    });
  }

  /** Only for Poisson itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Poisson ? [Poisson, this.key] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient for the rate. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  override get mean(): tf.Tensor {
    return this.rate;
  }
  override get variance(): tf.Tensor {
    return this.rate;
  }
}
