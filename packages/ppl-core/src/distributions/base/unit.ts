import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, real } from "../../constraints/constraint.js";
import { broadcastTo } from "../../ops/tensor.js";
import { Distribution } from "./distribution.js";

/** The empty-valued distribution behind `factor`: logProb is a given log-factor. */
export class Unit extends Distribution {
  readonly name = "Unit";
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [0];
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param logFactor the log-factor, shape batchShape */
  constructor(readonly logFactor: tf.Tensor) {
    super();
    this.batchShape = logFactor.shape;
  }
  sample(sampleShape: readonly number[] = []): tf.Tensor {
    return tf.zeros(this.shape(sampleShape));
  }
  logProb(value: tf.Tensor): tf.Tensor {
    const lead = value.shape.slice(0, Math.max(0, value.rank - 1));
    return lead.length > this.batchShape.length ? broadcastTo(this.logFactor, lead) : this.logFactor;
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (batchShape.length === this.batchShape.length && batchShape.every((d, i) => d === this.batchShape[i])) return this;
    return new Unit(broadcastTo(this.logFactor, batchShape));
  }
}
