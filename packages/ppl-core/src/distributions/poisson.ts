import * as tf from "@tensorflow/tfjs";
import { type Constraint, nonnegativeInteger, positive } from "../constraints/constraint.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { samplePoisson } from "./discrete-samplers.js";
import { Distribution } from "./distribution.js";
import { asFloat, checkParam } from "./validate.js";

/** Poisson(rate) over {0, 1, 2, ...}; values are float32 counts. */
export class Poisson extends Distribution {
  readonly name = "Poisson";
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = nonnegativeInteger;

  constructor(rate: TensorLike) {
    super();
    this.rate = asFloat(rate);
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

  override get mean(): tf.Tensor {
    return this.rate;
  }
  override get variance(): tf.Tensor {
    return this.rate;
  }
}
