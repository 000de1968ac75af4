import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, simplex } from "../constraints/constraint.js";
import { dirichletLogProb } from "../ops/dirichlet-logprob.js";
import { digamma, logMultivariateBeta } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { TINY } from "./gamma.js";
import { rsampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized, arg } from "./base/parameterized.js";

/** Dirichlet over the simplex of the last axis of `concentration`; reparameterised. */
export class Dirichlet extends Parameterized("Dirichlet", {
  /** The concentrations, shape [..., K], every element > 0. */
  concentration: arg(positive, { eventDim: 1, shape: "[..., K]" }),
}) {
  readonly support: Constraint = simplex;
  override readonly hasRsample = true;

  /** @param concentration shape [..., K], every element > 0: batch shape [...], event shape [K]. */
  constructor(concentration: TensorLike) {
    super({ concentration });
  }

  /** Normalised Gamma draws, reparameterised through the Gammas' implicit gradient. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Dirichlet")): tf.Tensor {
    return tf.tidy(() => {
      const g = rsampleStandardGamma(broadcastTo(this.concentration, this.shape(sampleShape)), seed);
      return g.div(g.sum(-1, true)).maximum(TINY);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return dirichletLogProb(this.concentration, value);
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => this.concentration.div(this.concentration.sum(-1, true)));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const a0 = this.concentration.sum(-1, true);
      const m = this.concentration.div(a0);
      return m.mul(tf.scalar(1).sub(m)).div(a0.add(1));
    });
  }
  /** log B(alpha) + (alpha0 - K) psi(alpha0) - sum_j (alpha_j - 1) psi(alpha_j), alpha0 = sum_j alpha_j. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const K = a.shape[a.rank - 1]!;
      const a0 = a.sum(-1);
      return logMultivariateBeta(a).add(a0.sub(K).mul(digamma(a0))).sub(a.sub(1).mul(digamma(a)).sum(-1));
    });
  }
}
