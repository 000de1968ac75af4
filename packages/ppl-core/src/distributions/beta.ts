import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, unitInterval } from "../constraints/constraint.js";
import { betaLogProb } from "../ops/beta-logprob.js";
import { digamma, logBeta } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { TINY } from "./gamma.js";
import { rsampleBeta } from "./numerics/beta-sampler.js";
import { Parameterized } from "./base/parameterized.js";

/** Largest float32 below 1: draws are clamped to it so log1p(-x) stays finite. */
const ONE_MINUS_EPS = 1 - 2 ** -24;

/** Beta(concentration1, concentration0): density x^(c1-1) (1-x)^(c0-1) / B(c1, c0). */
export class Beta extends Parameterized("Beta", {
  /** alpha, the weight of 1 (> 0). */
  concentration1: positive,
  /** beta, the weight of 0 (> 0). */
  concentration0: positive,
}) {
  readonly support: Constraint = unitInterval;
  override readonly hasRsample = true;

  /** @param concentration1 alpha (> 0, the weight of 1); @param concentration0 beta (> 0), broadcasting. */
  constructor(concentration1: TensorLike, concentration0: TensorLike) {
    super({ concentration1, concentration0 });
  }

  /** x = G1 / (G1 + G0) with independent Gamma draws: reparameterised through both (one op, numerics/beta-sampler.ts). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Beta")): tf.Tensor {
    return rsampleBeta(this.concentration1, this.concentration0, this.shape(sampleShape), seed, TINY, ONE_MINUS_EPS);
  }

  /** One float64 op with closed-form gradients (ops/beta-logprob.ts). */
  logProb(value: tf.Tensor): tf.Tensor {
    return betaLogProb(value, this.concentration1, this.concentration0);
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
  /** log B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const h = logBeta(a, b)
        .sub(a.sub(1).mul(digamma(a)))
        .sub(b.sub(1).mul(digamma(b)))
        .add(a.add(b).sub(2).mul(digamma(a.add(b))));
      return broadcastTo(h, this.batchShape);
    });
  }
}
