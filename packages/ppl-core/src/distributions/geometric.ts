import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegativeInteger, real, unitInterval } from "../constraints/constraint.js";
import { clampProbs } from "../ops/clamp-probs.js";
import { xlog1py, xlogy } from "../ops/special.js";
import { broadcastTo, logSigmoid, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { type BinaryParam, checkParam, logitsOf, probsOf, type ProbsOrLogits, probsOrLogits } from "./base/validate.js";

/**
 * Geometric over {0, 1, 2, ...}: the number of failures before the first
 * success of independent trials that succeed with probability `probs`
 * (Pyro's and torch's convention), given as `probs` in (0, 1] or `logits`.
 * p(k) = (1 - p)^k p; values are float32 counts.
 *
 * @example
 * ```ts
 * const d = dist.Geometric(0.25);            // or dist.Geometric({ logits: tf.tensor1d([-1, 0, 2]) })
 * d.logProb(tf.scalar(3));                   // 3 log 0.75 + log 0.25
 * d.cdf(tf.scalar(3));                       // 1 - 0.75^4
 * ```
 */
export class Geometric extends Distribution {
  readonly name = "Geometric";
  private readonly param: BinaryParam;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = nonnegativeInteger;

  /** `params`: `{ probs }` (shape batchShape, in [0, 1]), `{ logits }` (real), or a bare probs tensor. */
  constructor(params: ProbsOrLogits | TensorLike) {
    super();
    this.param = probsOrLogits(this.name, params);
    checkParam(this, this.param.kind, this.param.value, this.param.kind === "probs" ? unitInterval : real);
    this.batchShape = this.param.value.shape;
  }

  /** Success probability of each trial, shape batchShape. */
  get probs(): tf.Tensor {
    return probsOf(this.param);
  }
  /** log(p / (1 - p)), shape batchShape. */
  get logits(): tf.Tensor {
    return logitsOf(this.param);
  }

  /** log(1 - p) and log p, each computed in the given parameterisation. */
  private logFailSucceed(): [tf.Tensor, tf.Tensor] {
    const v = this.param.value;
    if (this.param.kind === "logits") return [logSigmoid(v.neg()), logSigmoid(v)];
    return [v.neg().log1p(), v.log()];
  }

  /** floor(log U / log(1 - p)) with U uniform on (0, 1]: inversion, one uniform per draw. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Geometric")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const u = tf.scalar(1).sub(uniformNoise(shape, 0, 1, seed));
      const [logFail] = this.logFailSucceed();
      // p = 1: log(1 - p) = -inf, and every draw is 0
      return u.log().div(broadcastTo(logFail, shape)).floor().maximum(0).abs(); // abs: no -0
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      if (this.param.kind === "probs") {
        // k log(1 - p) + log p on the clamped p (torch's clamp_probs: finite at p = 0 or 1, gradient 0 there)
        const p = clampProbs(this.param.value);
        return xlog1py(k, p.neg()).add(p.log());
      }
      const [logFail, logSucceed] = this.logFailSucceed();
      return k.mul(logFail).add(logSucceed);
    });
  }

  /** Only for Geometric itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Geometric ? [Geometric, this.param.kind, this.param.value] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient for the probs or logits. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** P(X <= x) = 1 - (1 - p)^(floor(x) + 1) for x >= 0, and 0 below. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32").floor();
      const [logFail] = this.logFailSucceed();
      const tail = k.add(1).maximum(0).mul(logFail); // log P(X > k); k + 1 = 0 below the support gives P = 0
      return tf.where(k.less(0), tf.zerosLike(tail), tf.scalar(1).sub(tail.exp()));
    });
  }

  /** The smallest k with cdf(k) >= q: ceil(log(1 - q) / log(1 - p) - 1), at least 0. */
  override icdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [logFail] = this.logFailSucceed();
      // a small slack so that cdf(k) itself maps back to k despite float32 rounding
      return value.neg().log1p().div(logFail).sub(1 + 1e-5).ceil().maximum(0).abs(); // abs: no -0
    });
  }

  /** (-(1 - p) log(1 - p) - p log p) / p, in nats. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      const q = tf.scalar(1).sub(p);
      if (this.param.kind === "probs") return xlog1py(q, p.neg()).add(xlogy(p, p)).neg().div(p); // 0 log 0 = 0 at p = 1
      const [logFail, logSucceed] = this.logFailSucceed();
      return q.mul(logFail).add(p.mul(logSucceed)).neg().div(p);
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => {
      const [logFail, logSucceed] = this.logFailSucceed();
      return logFail.sub(logSucceed).exp();
    });
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const [logFail, logSucceed] = this.logFailSucceed();
      return logFail.sub(logSucceed.mul(2)).exp();
    });
  }
}
