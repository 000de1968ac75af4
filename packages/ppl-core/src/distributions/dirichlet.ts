import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, simplex } from "../constraints/constraint.js";
import { PPLConfigError } from "../errors.js";
import { logMultivariateBeta } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { sampleStandardGamma } from "./gamma-sampler.js";
import { asFloat, checkParam } from "./validate.js";

/** Dirichlet over the simplex of the last axis of `concentration`. */
export class Dirichlet extends Distribution {
  readonly name = "Dirichlet";
  readonly concentration: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint = simplex;

  constructor(concentration: TensorLike) {
    super();
    this.concentration = asFloat(concentration);
    if (this.concentration.rank < 1) {
      throw new PPLConfigError("Dirichlet: 'concentration' must have at least one dim, got a scalar", {
        expected: "shape [..., K]",
        actual: "[]",
      });
    }
    checkParam(this.name, "concentration", this.concentration, positive);
    this.batchShape = this.concentration.shape.slice(0, -1);
    this.eventShape = this.concentration.shape.slice(-1);
  }

  /** Normalised Gamma draws; not reparameterised. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Dirichlet")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const alphas = broadcastTo(this.concentration, shape).dataSync();
      const g = tf.tensor(sampleStandardGamma(alphas, seed), shape);
      return g.div(g.sum(-1, true));
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      this.concentration.sub(1).mul(value.log()).sum(-1).sub(logMultivariateBeta(this.concentration)),
    );
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
}
