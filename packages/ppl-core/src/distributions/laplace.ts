import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { Parameterized } from "./base/parameterized.js";

/** Largest float32 below 1, so |u| < 1 and log1p(-|u|) stays finite. */
const U_MAX = 1 - 2 ** -24;

/** Laplace(loc, scale): density exp(-|x - loc| / scale) / (2 scale); reparameterised. */
export class Laplace extends Parameterized("Laplace", {
  /** The median. */
  loc: real,
  /** The scale (> 0); variance 2 scale^2. */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param loc median, any shape; @param scale (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Laplace")): tf.Tensor {
    // inverse CDF with u uniform on (-1, 1)
    return tf.tidy(() => {
      const u = uniformNoise(this.shape(sampleShape), -U_MAX, U_MAX, seed);
      return u.sign().mul(u.abs().neg().log1p()).mul(this.scale).neg().add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).abs().div(this.scale).neg().sub(this.scale.mul(2).log()));
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.square().mul(2), this.batchShape));
  }
  /** 1 + log(2 scale). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.mul(2).log().add(1), this.batchShape));
  }
  /** 1/2 + sign(z) (1 - e^-|z|) / 2 with z = (value - loc) / scale. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.sub(this.loc).div(this.scale);
      return z.sign().mul(z.abs().neg().expm1()).mul(-0.5).add(0.5);
    });
  }
  /** loc - scale sign(q - 1/2) log(1 - 2 |q - 1/2|). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const t = q.sub(0.5);
      return t.sign().mul(t.abs().mul(-2).log1p()).mul(this.scale).neg().add(this.loc);
    });
  }
}
