// A distribution written outside ppl-core: one class extending Distribution.
// With probability `gate` the count is a structural zero, otherwise it is
// Poisson(rate). This file is quoted in docs/writing-a-distribution.md.
import * as tf from "@tensorflow/tfjs";
import {
  Distribution, type Constraint, type TensorLike, broadcastShapes, broadcastTo, checkParam, constraints, dist, hashSeed,
  lgamma, nextSeed, paramBatchShape, toTensor,
} from "ppl-core";

export class ZeroInflatedPoisson extends Distribution {
  readonly name = "ZeroInflatedPoisson";
  readonly gate: tf.Tensor;
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = constraints.nonnegativeInteger;

  constructor(gate: TensorLike, rate: TensorLike) {
    super();
    this.gate = toTensor(gate);
    this.rate = toTensor(rate);
    // errors name this distribution and the parameter; both are skipped under setValidation(false)
    this.batchShape = paramBatchShape(this.name, { gate: this.gate.shape, rate: this.rate.shape });
    checkParam(this.name, "gate", this.gate, constraints.unitInterval);
    checkParam(this.name, "rate", this.rate, constraints.positive);
  }

  /** A Bernoulli(gate) mask times a Poisson(rate) draw; seeded, so reproducible. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed(this.name)): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const keep = tf.randomUniform(shape, 0, 1, "float32", seed).greaterEqual(this.gate).cast("float32");
      // a second, independent stream for the counts
      const counts = dist.Poisson(broadcastTo(this.rate, shape)).sample([], hashSeed(seed, "counts"));
      return counts.mul(keep);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      const shape = broadcastShapes([k.shape, this.batchShape]);
      const logKeep = tf.log1p(this.gate.neg());
      const poisson = k.mul(this.rate.log()).sub(this.rate).sub(lgamma(k.add(1)));
      // at zero: log(gate + (1 - gate) e^-rate), summed in log space
      const atZero = tf.logSumExp(tf.stack([broadcastTo(this.gate.log(), shape), broadcastTo(logKeep.sub(this.rate), shape)]), 0);
      return tf.where(broadcastTo(k.equal(0), shape), atZero, broadcastTo(logKeep.add(poisson), shape));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(tf.scalar(1).sub(this.gate).mul(this.rate), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const keep = tf.scalar(1).sub(this.gate);
      return broadcastTo(keep.mul(this.rate).mul(this.gate.mul(this.rate).add(1)), this.batchShape);
    });
  }
}
