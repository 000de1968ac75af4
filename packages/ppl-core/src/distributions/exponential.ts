import * as tf from "@tensorflow/tfjs";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam } from "./validate.js";

/** Exponential(rate), density rate e^(-rate x) on x >= 0. */
export class Exponential extends Distribution {
  readonly name = "Exponential";
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  constructor(rate: TensorLike) {
    super();
    this.rate = asFloat(rate);
    this.batchShape = this.rate.shape;
    checkParam(this.name, "rate", this.rate, positive);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Exponential")): tf.Tensor {
    // inverse CDF; u in [0, 1) so log1p(-u) is finite
    return tf.tidy(() => tf.randomUniform(this.shape(sampleShape), 0, 1, "float32", seed).neg().log1p().neg().div(this.rate));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.rate.log().sub(this.rate.mul(value)));
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.rate.reciprocal(), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.rate.square().reciprocal(), this.batchShape));
  }
}
