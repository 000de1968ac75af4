import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegativeInteger, positive } from "../constraints/constraint.js";
import { customGradient } from "../ops/custom-grad.js";
import { gammaincPair, lgamma, lgammaNumber, xlogy } from "../ops/special.js";
import { broadcastShapes, broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { samplePoisson } from "./numerics/discrete-samplers.js";
import { logProbOnLayout, paramKey } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { asFloat, checkParam } from "./base/validate.js";

/**
 * P(X <= value) for X ~ Poisson(rate), elementwise with broadcasting: the
 * regularised upper incomplete gamma Q(floor(value) + 1, rate), computed in
 * float64 JS, 0 below the support. Differentiable in the rate: d/dλ
 * P(X <= k) = -p(k; λ), the pmf at k. `value` gets no gradient (it is a count).
 */
export function poissonCdf(value: tf.Tensor, rate: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = broadcastShapes([value.shape, rate.shape], "Poisson.cdf value and rate shapes");
    const ks = broadcastTo(value.cast("float32"), shape).dataSync();
    const op = customGradient<[tf.Tensor]>(([lam]) => {
      const ls = lam.dataSync();
      const out = new Float32Array(ls.length);
      for (let i = 0; i < ls.length; i++) {
        const k = Math.floor(ks[i]!);
        out[i] = k < 0 ? 0 : gammaincPair(k + 1, ls[i]!)[1];
      }
      return {
        value: tf.tensor(out, lam.shape, "float32"),
        gradFunc: (dy: tf.Tensor) => {
          const g = new Float32Array(ls.length);
          for (let i = 0; i < ls.length; i++) {
            const k = Math.floor(ks[i]!);
            const l = ls[i]!;
            g[i] = k < 0 ? 0 : -Math.exp((k === 0 ? 0 : k * Math.log(l)) - l - lgammaNumber(k + 1));
          }
          return dy.mul(tf.tensor(g, lam.shape, "float32"));
        },
      };
    });
    return op(broadcastTo(rate, shape));
  });
}

/** Poisson(rate) over {0, 1, 2, ...}; values are float32 counts. */
export class Poisson extends Distribution {
  readonly name = "Poisson";
  /** The rate λ > 0, shape batchShape. */
  readonly rate: tf.Tensor;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = nonnegativeInteger;
  private readonly key: unknown;

  constructor(rate: TensorLike) {
    super();
    this.rate = asFloat(rate);
    this.key = paramKey(rate, this.rate);
    this.batchShape = this.rate.shape;
    checkParam(this, "rate", this.rate, positive);
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

  /** Only for Poisson itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Poisson ? [Poisson, this.key] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient for the rate. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** P(X <= value) = Q(floor(value) + 1, rate), differentiable in the rate. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return poissonCdf(value, this.rate);
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return this.rate;
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return this.rate;
  }
}
