import * as tf from "@tensorflow/tfjs-core";
import { Constraint, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { Categorical, type CategoricalParams, categoricalEntropy } from "./categorical.js";
import { Distribution } from "./base/distribution.js";
import { categoryWeights, checkMinRank, checkParam, probsOrLogits } from "./base/validate.js";

/** Vectors with one 1 and K - 1 zeros on the last axis. */
class OneHotConstraint extends Constraint {
  readonly name = "oneHot";
  override readonly eventDim = 1;
  override readonly isDiscrete = true;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalAnd(tf.logicalOr(v.equal(0), v.equal(1)).all(-1), v.sum(-1).equal(1)));
  }
}
const oneHot = new OneHotConstraint();

/**
 * OneHotCategorical(probs | logits): a Categorical whose values are one-hot
 * float32 vectors of length K (event shape [K]) instead of indices, as Pyro's
 * `OneHotCategorical`. Enumerable: `enumerateSupport` lists the K unit
 * vectors, so an enumerated site works under TraceEnumELBO.
 *
 * @example
 * ```ts
 * const d = dist.OneHotCategorical([0.2, 0.3, 0.5]);
 * d.logProb(tf.tensor1d([0, 1, 0]));    // log 0.3
 * // a mixture weight picked by a one-hot latent: dot(z, locs)
 * ```
 */
export class OneHotCategorical extends Distribution {
  readonly name = "OneHotCategorical";
  /** The equivalent Categorical over indices 0..K-1. */
  readonly categorical: Categorical;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** The shape of one draw. */
  readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = oneHot;
  override readonly hasEnumerateSupport = true;

  /** `params`: `{ probs }` (nonnegative weights on the last axis, normalised as torch does), `{ logits }`, or a bare probs tensor; shape [..., K]. */
  constructor(params: CategoricalParams | TensorLike) {
    super();
    // checked here first so that a refusal names OneHotCategorical, not the Categorical inside it
    const given = probsOrLogits(this.name, params);
    checkMinRank(this.name, given.kind, given.value, 1, "[..., K]");
    checkParam(this, given.kind, given.value, given.kind === "probs" ? categoryWeights : real);
    this.categorical = new Categorical(given.kind === "probs" ? { probs: given.value } : { logits: given.value });
    this.batchShape = this.categorical.batchShape;
    this.eventShape = [this.categorical.numCategories];
  }

  /** Normalised probabilities, shape batchShape ++ [K]. */
  get probs(): tf.Tensor {
    return this.categorical.probs;
  }
  /** Normalised log-probabilities, shape batchShape ++ [K]. */
  get logits(): tf.Tensor {
    return this.categorical.logits;
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("OneHotCategorical")): tf.Tensor {
    return tf.tidy(() => {
      const idx = this.categorical.sample(sampleShape, seed);
      return tf.oneHot(idx.flatten(), this.eventShape[0]!).cast("float32").reshape(this.shape(sampleShape));
    });
  }

  /** The log-probability of the category each one-hot row selects (its argmax, as torch reads it); differentiable in the parameters. */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.categorical.logProb(value.argMax(-1)));
  }

  override supportSize(): number {
    return this.eventShape[0]!;
  }

  /** The K unit vectors, [K, 1, ..., 1, K] (one 1 per batch dim) or [K, ...batchShape, K] when `expand`. */
  override enumerateSupport(expand = true): tf.Tensor {
    const K = this.eventShape[0]!;
    return tf.tidy(() => {
      const values = tf.eye(K).reshape([K, ...this.batchShape.map(() => 1), K]);
      return expand ? broadcastTo(values, [K, ...this.batchShape, K]) : values;
    });
  }

  /** -Σ p log p over the categories. */
  override entropy(): tf.Tensor {
    return categoricalEntropy(this.categorical.logits);
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return this.probs;
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      return p.mul(tf.scalar(1).sub(p));
    });
  }
}
