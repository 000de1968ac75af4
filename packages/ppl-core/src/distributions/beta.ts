import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, unitInterval } from "../constraints/constraint.js";
import { logBeta, xlog1py, xlogy } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { TINY } from "./gamma.js";
import { rsampleStandardGamma } from "./gamma-sampler.js";
import { asFloat, checkParam, paramBatchShape } from "./validate.js";

/** Largest float32 below 1: draws are clamped to it so log1p(-x) stays finite. */
const ONE_MINUS_EPS = 1 - 2 ** -24;

/** Beta(concentration1, concentration0): density x^(c1-1) (1-x)^(c0-1) / B(c1, c0). */
export class Beta extends Distribution {
  readonly name = "Beta";
  readonly concentration1: tf.Tensor;
  readonly concentration0: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = unitInterval;
  override readonly hasRsample = true;

  constructor(concentration1: TensorLike, concentration0: TensorLike) {
    super();
    this.concentration1 = asFloat(concentration1);
    this.concentration0 = asFloat(concentration0);
    this.batchShape = paramBatchShape(this.name, {
      concentration1: this.concentration1.shape,
      concentration0: this.concentration0.shape,
    });
    checkParam(this.name, "concentration1", this.concentration1, positive);
    checkParam(this.name, "concentration0", this.concentration0, positive);
  }

  /** x = G1 / (G1 + G0) with independent Gamma draws: reparameterised through both. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Beta")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const g1 = rsampleStandardGamma(broadcastTo(this.concentration1, shape), seed);
      const g0 = rsampleStandardGamma(broadcastTo(this.concentration0, shape), hashSeed(seed, "Beta.concentration0"));
      return g1.div(g1.add(g0)).clipByValue(TINY, ONE_MINUS_EPS);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      xlogy(this.concentration1.sub(1), value)
        .add(xlog1py(this.concentration0.sub(1), value.neg()))
        .sub(logBeta(this.concentration1, this.concentration0)),
    );
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.concentration1.div(this.concentration1.add(this.concentration0)), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const total = this.concentration1.add(this.concentration0);
      return broadcastTo(this.concentration1.mul(this.concentration0).div(total.square().mul(total.add(1))), this.batchShape);
    });
  }
}
