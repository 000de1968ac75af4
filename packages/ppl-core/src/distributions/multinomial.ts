import * as tf from "@tensorflow/tfjs-core";
import { Constraint, real } from "../constraints/constraint.js";
import { PPLConfigError } from "../errors.js";
import { clampProbs } from "../ops/clamp-probs.js";
import { lgamma } from "../ops/special.js";
import { broadcastShapes, broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { sampleMultinomial } from "./numerics/discrete-samplers.js";
import { Distribution } from "./base/distribution.js";
import { categoryWeights, checkMinRank, checkParam, type ProbsOrLogits, probsOrLogits } from "./base/validate.js";

/** Vectors of K nonnegative integers that sum to n (the support of Multinomial(n, ·)). */
class MultinomialSupport extends Constraint {
  readonly name: string;
  override readonly eventDim = 1;
  override readonly isDiscrete = true;
  constructor(readonly totalCount: number) {
    super();
    this.name = `multinomial(${totalCount})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const counts = tf.logicalAnd(v.greaterEqual(0), v.equal(v.floor())).all(-1);
      return tf.logicalAnd(counts, v.sum(-1).equal(this.totalCount));
    });
  }
}

/** Every composition of n into K nonnegative parts, lexicographic with the first part largest first: C(n + K - 1, K - 1) rows. */
function compositions(n: number, K: number): number[][] {
  if (K === 1) return [[n]];
  const out: number[][] = [];
  for (let first = n; first >= 0; first--) for (const rest of compositions(n - first, K - 1)) out.push([first, ...rest]);
  return out;
}

/** C(n + K - 1, K - 1), in floating point (exact while it fits a double). */
function compositionCount(n: number, K: number): number {
  let c = 1;
  for (let i = 1; i < K; i++) c = (c * (n + i)) / i;
  return Math.round(c);
}

/**
 * Multinomial(totalCount, probs | logits): counts of `totalCount` draws over
 * K categories (the last axis of `probs` or `logits`), as float32 vectors
 * summing to totalCount. Like Pyro's, the total count is one integer shared
 * by the whole batch. Its finite support can be enumerated:
 * `enumerateSupport` lists all C(n + K - 1, K - 1) count vectors.
 *
 * @example
 * ```ts
 * const d = dist.Multinomial(10, [0.2, 0.3, 0.5]);
 * d.logProb(tf.tensor1d([2, 3, 5]));     // log(10! / (2! 3! 5!) 0.2^2 0.3^3 0.5^5)
 * ```
 */
export class Multinomial extends Distribution {
  readonly name = "Multinomial";
  /** The number of trials n, shared by the batch. */
  readonly totalCount: number;
  /** Normalised log-probabilities, shape batchShape ++ [K]. */
  readonly logits: tf.Tensor;
  private readonly given: { kind: "probs" | "logits"; value: tf.Tensor };
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** The shape of one draw. */
  readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;

  /**
   * @param totalCount a nonnegative integer (a JS number).
   * @param params `{ probs }` (nonnegative weights on the last axis, normalised as torch does), `{ logits }`, or a bare probs tensor; shape [..., K].
   */
  constructor(totalCount: number, params: ProbsOrLogits | TensorLike) {
    super();
    if (typeof totalCount !== "number" || !Number.isInteger(totalCount) || totalCount < 0) {
      throw new PPLConfigError(`${this.name}: 'totalCount' must be a nonnegative integer (a JS number, shared by the batch), got ${String(totalCount)}`, {
        expected: "a nonnegative integer",
        actual: String(totalCount),
      });
    }
    this.totalCount = totalCount;
    this.given = probsOrLogits(this.name, params);
    checkMinRank(this.name, this.given.kind, this.given.value, 1, "[..., K]");
    checkParam(this, this.given.kind, this.given.value, this.given.kind === "probs" ? categoryWeights : real);
    const v = this.given.value;
    // probs: normalised, then clamped as torch's clamp_probs before the log (finite at 0, gradient 0 there)
    this.logits = tf.tidy(() => (this.given.kind === "probs" ? clampProbs(v.div(v.sum(-1, true))).log() : v.sub(tf.logSumExp(v, -1, true))));
    this.batchShape = v.shape.slice(0, -1);
    this.eventShape = [v.shape[v.rank - 1]!];
    this.support = new MultinomialSupport(totalCount);
  }

  /** The number of categories K. */
  get numCategories(): number {
    return this.eventShape[0]!;
  }
  /** Normalised probabilities, shape batchShape ++ [K]. */
  get probs(): tf.Tensor {
    return tf.tidy(() => {
      const v = this.given.value;
      return this.given.kind === "probs" ? v.div(v.sum(-1, true)) : tf.softmax(v);
    });
  }

  /** Conditional binomials per row, seeded, in float64 JS. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Multinomial")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const p = broadcastTo(this.probs, shape).dataSync();
      return tf.tensor(sampleMultinomial(this.totalCount, p, this.numCategories, seed), shape, "float32");
    });
  }

  /** log n! - Σ log x_k! + Σ x_k log p_k (0 log 0 = 0 for an impossible category with no counts). */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = value.cast("float32");
      const shape = broadcastShapes([x.shape, this.logits.shape], `${this.name} value and parameter shapes`);
      const logCoef = lgamma(tf.scalar(this.totalCount + 1)).sub(lgamma(x.add(1)).sum(-1));
      const xb = broadcastTo(x, shape);
      // 0 · log 0 = 0 for a category with logit -inf and no counts (the probs' logits are clamped, so finite)
      const terms = tf.where(xb.equal(0), tf.zerosLike(xb), xb.mul(broadcastTo(this.logits, shape)));
      return logCoef.add(terms.sum(-1));
    });
  }

  override supportSize(): number {
    return compositionCount(this.totalCount, this.numCategories);
  }

  /** All count vectors, [S, 1, ..., 1, K] (one 1 per batch dim) or [S, ...batchShape, K] when `expand`. */
  override enumerateSupport(expand = true): tf.Tensor {
    const K = this.numCategories;
    const rows = compositions(this.totalCount, K);
    return tf.tidy(() => {
      const values = tf.tensor(rows.flat(), [rows.length, ...this.batchShape.map(() => 1), K], "float32");
      return expand ? broadcastTo(values, [rows.length, ...this.batchShape, K]) : values;
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => this.probs.mul(this.totalCount));
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      return p.mul(tf.scalar(1).sub(p)).mul(this.totalCount);
    });
  }
}
