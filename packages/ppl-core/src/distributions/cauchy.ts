import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { Parameterized } from "./base/parameterized.js";

/** Largest float32 below 1/2: tan(pi u) stays finite for u in (-1/2, 1/2). */
const U_HALF = 0.5 - 2 ** -25;

/**
 * Cauchy(loc, scale): density 1 / (pi scale (1 + ((x - loc) / scale)^2)); reparameterised.
 * The mean and variance do not exist: `mean` is NaN and `variance` Infinity, as in Pyro.
 * @example
 * ```ts
 * const beta = sample("beta", dist.Cauchy(0, 2.5));
 * ```
 */
export class Cauchy extends Parameterized("Cauchy", {
  /** The median. */
  loc: real,
  /** The half-width at half-maximum (> 0). */
  scale: positive,
}) {
  readonly support: Constraint = real;
  override readonly hasRsample = true;

  /** @param loc median, any shape; @param scale half-width at half-maximum (> 0), broadcasting with loc. */
  constructor(loc: TensorLike, scale: TensorLike) {
    super({ loc, scale });
  }

  /** loc + scale tan(pi u), u uniform on (-1/2, 1/2). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Cauchy")): tf.Tensor {
    return tf.tidy(() => {
      const u = uniformNoise(this.shape(sampleShape), -U_HALF, U_HALF, seed);
      return u.mul(Math.PI).tan().mul(this.scale).add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.sub(this.loc).div(this.scale);
      return z.square().log1p().add(this.scale.log()).add(Math.log(Math.PI)).neg();
    });
  }

  /** Only for Cauchy itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(Cauchy);
  }

  /** All rows in one pass of the tensor expression: one gradient each for loc and scale. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** NaN: the Cauchy has no mean. */
  override get mean(): tf.Tensor {
    return tf.fill([...this.batchShape], NaN);
  }
  /** Infinity: the Cauchy has no finite variance. */
  override get variance(): tf.Tensor {
    return tf.fill([...this.batchShape], Infinity);
  }
  /** log(4 pi scale). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scale.log().add(Math.log(4 * Math.PI)), this.batchShape));
  }
  /** 1/2 + atan((value - loc) / scale) / pi. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).div(this.scale).atan().div(Math.PI).add(0.5));
  }
  /** loc + scale tan(pi (q - 1/2)). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.sub(0.5).mul(Math.PI).tan().mul(this.scale).add(this.loc));
  }
}
