import * as tf from "@tensorflow/tfjs";
import { type Constraint, interval, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkOrdered, checkParam, paramBatchShape } from "./validate.js";

/** Uniform on [low, high). */
export class Uniform extends Distribution {
  readonly name = "Uniform";
  readonly low: tf.Tensor;
  readonly high: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint;
  override readonly hasRsample = true;

  constructor(low: TensorLike, high: TensorLike) {
    super();
    this.low = asFloat(low);
    this.high = asFloat(high);
    this.batchShape = paramBatchShape(this.name, { low: this.low.shape, high: this.high.shape });
    checkParam(this.name, "low", this.low, real);
    checkParam(this.name, "high", this.high, real);
    checkOrdered(this.name, "low", this.low, "high", this.high);
    // JS-number bounds when they are scalars, so bijectTo and the ParamStore see a plain interval
    this.support =
      typeof low === "number" && typeof high === "number" ? interval(low, high) : interval(this.low, this.high);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Uniform")): tf.Tensor {
    return tf.tidy(() =>
      tf.randomUniform(this.shape(sampleShape), 0, 1, "float32", seed).mul(this.high.sub(this.low)).add(this.low),
    );
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const inside = tf.logicalAnd(value.greaterEqual(this.low), value.less(this.high));
      const lp = broadcastTo(this.high.sub(this.low).log().neg(), inside.shape);
      return tf.where(inside, lp, tf.fill(inside.shape, -Infinity));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.low.add(this.high).div(2), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.high.sub(this.low).square().div(12), this.batchShape));
  }
}
