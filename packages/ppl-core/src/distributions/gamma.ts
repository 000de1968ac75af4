import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive } from "../constraints/constraint.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { rsampleStandardGamma } from "./gamma-sampler.js";
import { asFloat, checkParam, paramBatchShape } from "./validate.js";

/** float32's smallest normal number: draws are clamped to it so log(x) stays finite. */
export const TINY = 1.1754944e-38;

/**
 * Gamma(concentration, rate), density x^(a-1) e^(-rate x) rate^a / Gamma(a).
 * Reparameterised by implicit differentiation of the CDF (gamma-sampler.ts).
 */
export class Gamma extends Distribution {
  readonly name = "Gamma";
  readonly concentration: tf.Tensor;
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = positive;
  override readonly hasRsample = true;

  constructor(concentration: TensorLike, rate: TensorLike) {
    super();
    this.concentration = asFloat(concentration);
    this.rate = asFloat(rate);
    this.batchShape = paramBatchShape(this.name, { concentration: this.concentration.shape, rate: this.rate.shape });
    checkParam(this.name, "concentration", this.concentration, positive);
    checkParam(this.name, "rate", this.rate, positive);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Gamma")): tf.Tensor {
    return tf.tidy(() => {
      const g = rsampleStandardGamma(broadcastTo(this.concentration, this.shape(sampleShape)), seed);
      return g.div(this.rate).maximum(TINY);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      return xlogy(a.sub(1), value).sub(this.rate.mul(value)).add(xlogy(a, this.rate)).sub(lgamma(a));
    });
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.div(this.rate), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration.div(this.rate.square()), this.batchShape));
  }
}
