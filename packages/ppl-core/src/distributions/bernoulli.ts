import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, boolean, real, unitInterval } from "../constraints/constraint.js";
import { bernoulliLogProb } from "../ops/bernoulli-logprob.js";
import { xlog1py, xlogy } from "../ops/special.js";
import { broadcastShapes, broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { batchedLayout } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { type BinaryParam, checkParam, logitsOf, probsOf, type ProbsOrLogits, probsOrLogits } from "./base/validate.js";

/**
 * Bernoulli over {0, 1} (float32 values, as in Pyro), parameterised by
 * `probs` or `logits`. `dist.Bernoulli(p)` is the short form for `{ probs: p }`.
 * The log-density is computed in whichever parameterisation was given, so
 * probs of exactly 0 or 1 and large logits both stay finite.
 */
export class Bernoulli extends Distribution {
  readonly name = "Bernoulli";
  private readonly param: BinaryParam;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = boolean;
  override readonly hasEnumerateSupport = true;

  constructor(params: ProbsOrLogits | TensorLike) {
    super();
    this.param = probsOrLogits(this.name, params);
    checkParam(this, this.param.kind, this.param.value, this.param.kind === "probs" ? unitInterval : real);
    this.batchShape = this.param.value.shape;
  }

  /** The success probability, shape of the given parameter (computed from the logits if they were given). */
  get probs(): tf.Tensor {
    return probsOf(this.param);
  }
  /** log(p / (1 - p)), shape of the given parameter (computed from the probs if they were given). */
  get logits(): tf.Tensor {
    return logitsOf(this.param);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Bernoulli")): tf.Tensor {
    return tf.tidy(() => uniformNoise(this.shape(sampleShape), 0, 1, seed).less(this.probs).cast("float32"));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return bernoulliLogProb(value, this.param.value, this.param.kind);
  }

  /** Only for Bernoulli itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Bernoulli ? [Bernoulli, this.param.kind, this.param.value] : undefined;
  }

  /** One fused op over all rows (a chain's emissions): the parameter is read once and gets one gradient. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    const layout = batchedLayout(this.name, values, [batchShape, this.batchShape]);
    return bernoulliLogProb(layout.values, this.param.value, this.param.kind, layout.outShape);
  }

  override supportSize(): number {
    return 2;
  }

  override enumerateSupport(expand = true): tf.Tensor {
    return tf.tidy(() => {
      const values = tf.tensor1d([0, 1]).reshape([2, ...this.batchShape.map(() => 1)]);
      return expand ? broadcastTo(values, [2, ...this.batchShape]) : values;
    });
  }

  /** -p log p - (1 - p) log(1 - p), in nats, computed in the given parameterisation (0 log 0 = 0). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const v = this.param.value;
      if (this.param.kind === "probs") return xlogy(v, v).add(xlog1py(tf.scalar(1).sub(v), v.neg())).neg();
      // with p = sigmoid(l): H = softplus(l) - l p
      return tf.softplus(v).sub(v.mul(tf.sigmoid(v)));
    });
  }

  /** P(X <= x): 0 below 0, 1 - p on [0, 1), 1 from 1 on. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = value.cast("float32");
      const q = tf.scalar(1).sub(this.probs);
      const shape = broadcastShapes([x.shape, q.shape]);
      const mid = broadcastTo(q, shape);
      const xb = broadcastTo(x, shape);
      return tf.where(xb.less(0), tf.zerosLike(mid), tf.where(xb.less(1), mid, tf.onesLike(mid)));
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return this.param.kind === "probs" ? this.param.value : this.probs;
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      return p.mul(tf.scalar(1).sub(p));
    });
  }
}
