import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { normalLogProb } from "../ops/normal-logprob.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam, paramBatchShape } from "./validate.js";

export class Normal extends Distribution {
  readonly name = "Normal";
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  constructor(loc: TensorLike, scale: TensorLike) {
    super();
    this.loc = asFloat(loc);
    this.scale = asFloat(scale);
    this.batchShape = paramBatchShape(this.name, { loc: this.loc.shape, scale: this.scale.shape });
    checkParam(this.name, "loc", this.loc, real);
    checkParam(this.name, "scale", this.scale, positive);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Normal")): tf.Tensor {
    return tf.tidy(() => {
      const eps = tf.randomNormal(this.shape(sampleShape), 0, 1, "float32", seed);
      return eps.mul(this.scale).add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return normalLogProb(value, this.loc, this.scale);
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcastTo(this.scale.square(), this.batchShape);
  }
}
