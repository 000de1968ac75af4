import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { normalLogProb } from "../ops/normal-logprob.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { batchedLayout, paramKey } from "./batched-layout.js";
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
  private readonly key: readonly unknown[];

  constructor(loc: TensorLike, scale: TensorLike) {
    super();
    this.loc = asFloat(loc);
    this.scale = asFloat(scale);
    this.key = [paramKey(loc, this.loc), paramKey(scale, this.scale)];
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

  /** Only for Normal itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Normal ? [Normal, ...this.key] : undefined;
  }

  /** One fused op over all rows: loc and scale are read once and get one gradient each. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    const layout = batchedLayout(this.name, values, [batchShape, this.batchShape]);
    return normalLogProb(layout.values, this.loc, this.scale, layout.outShape);
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcastTo(this.scale.square(), this.batchShape);
  }
}
