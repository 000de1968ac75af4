import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, interval, real } from "../constraints/constraint.js";
import { elementwiseOp } from "../ops/elementwise-op.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { Parameterized } from "./base/parameterized.js";
import { checkOrdered } from "./base/validate.js";

/** Uniform on [low, high); reparameterised. */
export class Uniform extends Parameterized("Uniform", {
  /** The lower bound. */
  low: real,
  /** The upper bound (> low). */
  high: real,
}) {
  readonly support: Constraint;
  override readonly hasRsample = true;

  /** @param low lower bound; @param high upper bound (> low), broadcasting with low. */
  constructor(low: TensorLike, high: TensorLike) {
    super({ low, high });
    checkOrdered(this, "low", this.low, "high", this.high);
    // JS-number bounds when they are scalars, so bijectTo and the ParamStore see a plain interval
    this.support =
      typeof low === "number" && typeof high === "number" ? interval(low, high) : interval(this.low, this.high);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Uniform")): tf.Tensor {
    return tf.tidy(() =>
      uniformNoise(this.shape(sampleShape), 0, 1, seed).mul(this.high.sub(this.low)).add(this.low),
    );
  }

  /** One float64 op (ops/elementwise-op.ts): -log(high - low) on [low, high), -∞ off it; the bounds get the gradient. */
  logProb(value: tf.Tensor): tf.Tensor {
    return elementwiseOp(`${this.name} log-density`, logDensity, [value, this.low, this.high]);
  }

  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.low.add(this.high).div(2), this.batchShape));
  }
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.high.sub(this.low).square().div(12), this.batchShape));
  }
  /** log(high - low). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.high.sub(this.low).log(), this.batchShape));
  }
  /** (value - low) / (high - low), clamped to [0, 1]. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.low).div(this.high.sub(this.low)).clipByValue(0, 1));
  }
  /** low + q (high - low). */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => q.mul(this.high.sub(this.low)).add(this.low));
  }
}

/** At one element of (value, low, high): the log-density, and its partials in low and high (none in the value). */
function logDensity([v, low, high]: readonly number[], partials: number[]): number {
  if (!(v! >= low! && v! < high!)) return -Infinity;
  const width = high! - low!;
  partials[1] = 1 / width;
  partials[2] = -1 / width;
  return -Math.log(width);
}
