import * as tf from "@tensorflow/tfjs";
import { type Constraint, nonnegative, positive } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam } from "./validate.js";

const LOG_2_OVER_SQRT_2PI = Math.log(2) - 0.5 * Math.log(2 * Math.PI);

/** |X| for X ~ Normal(0, scale). */
export class HalfNormal extends Distribution {
  readonly name = "HalfNormal";
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = nonnegative;
  override readonly hasRsample = true;

  constructor(scale: TensorLike) {
    super();
    this.scale = asFloat(scale);
    this.batchShape = this.scale.shape;
    checkParam(this.name, "scale", this.scale, positive);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("HalfNormal")): tf.Tensor {
    return tf.tidy(() => tf.randomNormal(this.shape(sampleShape), 0, 1, "float32", seed).abs().mul(this.scale));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.div(this.scale);
      const lp = z.square().mul(-0.5).sub(this.scale.log()).add(LOG_2_OVER_SQRT_2PI);
      return tf.where(value.greaterEqual(0), lp, tf.fill(lp.shape, -Infinity));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.mul(Math.sqrt(2 / Math.PI)), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul(1 - 2 / Math.PI), this.batchShape));
  }
}
