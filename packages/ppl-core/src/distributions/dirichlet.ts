import * as tf from "@tensorflow/tfjs";
import { type Constraint, positive, simplex } from "../constraints/constraint.js";
import { dirichletLogProb } from "../ops/dirichlet-logprob.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Distribution } from "./distribution.js";
import { TINY } from "./gamma.js";
import { rsampleStandardGamma } from "./gamma-sampler.js";
import { asFloat, checkMinRank, checkParam } from "./validate.js";

/** Dirichlet over the simplex of the last axis of `concentration`. */
export class Dirichlet extends Distribution {
  readonly name = "Dirichlet";
  readonly concentration: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint = simplex;
  override readonly hasRsample = true;

  constructor(concentration: TensorLike) {
    super();
    this.concentration = asFloat(concentration);
    checkMinRank(this.name, "concentration", this.concentration, 1, "[..., K]");
    checkParam(this.name, "concentration", this.concentration, positive);
    this.batchShape = this.concentration.shape.slice(0, -1);
    this.eventShape = this.concentration.shape.slice(-1);
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
}
