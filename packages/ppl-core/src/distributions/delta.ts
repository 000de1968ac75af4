import * as tf from "@tensorflow/tfjs";
import { type Constraint, dependent } from "../constraints/constraint.js";
import { PPLShapeError, formatShape } from "../errors.js";
import { broadcastTo, sumRightmost, type TensorLike } from "../ops/tensor.js";
import { Distribution } from "./distribution.js";
import { asFloat } from "./validate.js";

export interface DeltaOptions {
  /** Log-density at the point (default 0). */
  logDensity?: TensorLike;
  /** Rightmost dims of `v` that form one event (default 0). */
  eventDim?: number;
}

/** All mass at `v`. logProb is `logDensity` at v and -Infinity elsewhere. */
export class Delta extends Distribution {
  readonly name = "Delta";
  readonly v: tf.Tensor;
  readonly logDensity: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint = dependent;
  override readonly hasRsample = true;

  constructor(v: TensorLike, options: DeltaOptions = {}) {
    super();
    this.v = v instanceof tf.Tensor ? v : asFloat(v);
    const eventDim = options.eventDim ?? 0;
    if (!Number.isInteger(eventDim) || eventDim < 0 || eventDim > this.v.rank) {
      throw new PPLShapeError(
        `Delta: eventDim must be an integer in [0, ${this.v.rank}] for a value of shape ${formatShape(this.v.shape)}, got ${eventDim}`,
        { expected: `0..${this.v.rank}`, actual: String(eventDim) },
      );
    }
    this.batchShape = this.v.shape.slice(0, this.v.rank - eventDim);
    this.eventShape = this.v.shape.slice(this.v.rank - eventDim);
    this.logDensity = options.logDensity === undefined ? tf.zeros([...this.batchShape]) : asFloat(options.logDensity);
  }

  sample(sampleShape: readonly number[] = []): tf.Tensor {
    return broadcastTo(this.v, this.shape(sampleShape));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const same = value.equal(this.v).cast("float32");
      const allSame = sumRightmost(same.sub(1), this.eventShape.length);
      // 0 where every event element matches, -Infinity otherwise
      return tf.where(allSame.equal(0), tf.zerosLike(allSame), tf.fill([...allSame.shape], -Infinity)).add(this.logDensity);
    });
  }

  override get mean(): tf.Tensor {
    return this.v;
  }
  override get variance(): tf.Tensor {
    return tf.zerosLike(this.v);
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (batchShape.length === this.batchShape.length && batchShape.every((d, i) => d === this.batchShape[i])) return this;
    return new Delta(broadcastTo(this.v, [...batchShape, ...this.eventShape]), {
      logDensity: broadcastTo(this.logDensity, batchShape),
      eventDim: this.eventShape.length,
    });
  }
}
