import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam, paramBatchShape } from "./validate.js";

/** Largest float32 below 1, so |u| < 1 and log1p(-|u|) stays finite. */
const U_MAX = 1 - 2 ** -24;

/** Laplace(loc, scale): density exp(-|x - loc| / scale) / (2 scale). */
export class Laplace extends Distribution {
  readonly name = "Laplace";
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

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Laplace")): tf.Tensor {
    // inverse CDF with u uniform on (-1, 1)
    return tf.tidy(() => {
      const u = tf.randomUniform(this.shape(sampleShape), -U_MAX, U_MAX, "float32", seed);
      return u.sign().mul(u.abs().neg().log1p()).mul(this.scale).neg().add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).abs().div(this.scale).neg().sub(this.scale.mul(2).log()));
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul(2), this.batchShape));
  }
}
