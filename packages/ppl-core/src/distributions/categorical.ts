import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, integerInterval, real } from "../constraints/constraint.js";
import { PPLConfigError } from "../errors.js";
import { MAX_SAFE_RANK, broadcastShapes, broadcastTo, cumsumLast, foldedRowwise, type TensorLike } from "../ops/tensor.js";
import { isArangeIndex, markArangeIndex, vindex } from "../ops/vindex.js";
import { PROBS_EPS, clampProbNumber } from "../ops/clamp-probs.js";
import { customGradient } from "../ops/custom-grad.js";
import { stepCached } from "../ops/step-cache.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { batchedLayout } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { asFloat, categoryWeights, checkParam } from "./base/validate.js";

/**
 * The unexpanded support of K categories at enumeration dim d is the same
 * int32 arange [K, 1, ..., 1] for every Categorical: one cached tensor per
 * (K, d), tagged as an arange at creation. A markov chain's steps of one
 * parity then hand vindex and logProb the same support, so their memoised
 * views (a transition's reshape, an emission's locs[z]) are shared along the
 * chain. Remade once a tf.tidy scope has disposed it.
 */
const supports = new Map<string, tf.Tensor>();

/**
 * log clamp(p_k / Σ_j p_j) over the last axis, torch's Categorical logits:
 * normalise the row, then clamp_probs (clamp-probs.ts), so an impossible
 * category scores log eps, finite, with gradient 0. One op computed in float64
 * JS: as tfjs kernels it is four forward and about six backward per transition
 * matrix per step, and it works on flat rows, so rank 7 (6 batch dims) is no
 * concern. Gradient with q = p / s: (h_k - Σ_{j unclamped} dy_j) / s, where
 * h_k = dy_k / q_k if q_k is inside the clamp and 0 where the clamp bites.
 */
const logNormalized = customGradient<[tf.Tensor]>(([p]) => {
  const K = p.shape[p.rank - 1]!;
  const x = p.dataSync();
  const out = new Float32Array(x.length);
  const q = new Float64Array(x.length);
  const inverseSums = new Float64Array(x.length / K);
  for (let r = 0, o = 0; o < x.length; r++, o += K) {
    let s = 0;
    for (let k = o; k < o + K; k++) s += x[k]!;
    inverseSums[r] = 1 / s;
    for (let k = o; k < o + K; k++) {
      q[k] = x[k]! / s;
      out[k] = Math.log(clampProbNumber(q[k]!));
    }
  }
  return {
    value: tf.tensor(out, p.shape),
    gradFunc: (dy: tf.Tensor) => {
      const g = dy.dataSync();
      const gx = new Float32Array(x.length);
      const inside = (k: number): boolean => q[k]! >= PROBS_EPS && q[k]! <= 1 - PROBS_EPS;
      for (let r = 0, o = 0; o < x.length; r++, o += K) {
        let total = 0;
        for (let k = o; k < o + K; k++) if (inside(k)) total += g[k]!;
        for (let k = o; k < o + K; k++) gx[k] = ((inside(k) && g[k] !== 0 ? g[k]! / q[k]! : 0) - total) * inverseSums[r]!;
      }
      return tf.tensor(gx, p.shape);
    },
  };
});

/**
 * -Σ_k p_k log p_k over the last axis of normalised log-probabilities, with
 * 0 log 0 = 0 for impossible categories (logit -inf).
 */
export function categoricalEntropy(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const finite = logits.equal(-Infinity).logicalNot();
    const safe = tf.where(finite, logits, tf.zerosLike(logits));
    return safe.exp().mul(safe).mul(finite.cast("float32")).sum(-1).neg();
  });
}

/** The parameters of a Categorical: exactly one of `probs` (a simplex on the last axis) or unnormalised `logits`, shape [..., K]. */
export type CategoricalParams =
  | {
      /** Category weights [..., K], nonnegative, normalised on the last axis (torch's probs). */
      probs: TensorLike;
      /** Not with probs. */
      logits?: never;
    }
  | {
      /** Unnormalised log-probabilities [..., K]. */
      logits: TensorLike;
      /** Not with logits. */
      probs?: never;
    };

/**
 * Categorical over {0, ..., K-1}, parameterised by `probs` (nonnegative
 * weights on the last axis, normalised as torch does: `Categorical(tf.ones([4]))`
 * is uniform; a row that is negative, non-finite or all zero is refused) or
 * unnormalised `logits`. `dist.Categorical(probs)` is the short form. Probs are
 * clamped to [eps, 1 − eps] before their log is taken (torch's clamp_probs), so
 * an impossible category scores log eps ≈ −15.9 with gradient 0.
 */
export class Categorical extends Distribution {
  readonly name = "Categorical";
  /** Normalised log-probabilities, shape batchShape ++ [K]. */
  readonly logits: tf.Tensor;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;
  /** The number of categories K. */
  readonly numCategories: number;
  /** The weights given as `probs` (unclamped, maybe unnormalised), if the probs form was used. */
  private readonly givenProbs: tf.Tensor | undefined;

  constructor(params: CategoricalParams | TensorLike) {
    super();
    const p: CategoricalParams =
      params instanceof tf.Tensor || typeof params === "number" || Array.isArray(params)
        ? { probs: params }
        : params;
    if ((p.probs === undefined) === (p.logits === undefined)) {
      throw new PPLConfigError("Categorical: give exactly one of 'probs' or 'logits'");
    }
    if (p.probs !== undefined) {
      const probs = asFloat(p.probs);
      this.checkRank(probs, "probs");
      checkParam(this, "probs", probs, categoryWeights);
      // a markov chain builds a Categorical per step from the same transition rows: normalise them once per loss call
      this.logits = stepCached([probs], "categorical-log-probs", () => logNormalized(probs));
      this.givenProbs = probs;
    } else {
      const logits = asFloat(p.logits!);
      this.givenProbs = undefined;
      this.checkRank(logits, "logits");
      checkParam(this, "logits", logits, real);
      // in a tidy: the log-sum-exp is an intermediate (the constructor may run outside any tidy)
      this.logits = stepCached([logits], "categorical-normalized-logits", () => tf.tidy(() => foldedRowwise(logits, 1, (x) => x.sub(tf.logSumExp(x, -1, true)))));
    }
    this.numCategories = this.logits.shape[this.logits.rank - 1]!;
    this.batchShape = this.logits.shape.slice(0, -1);
    this.support = integerInterval(0, this.numCategories - 1);
  }

  private checkRank(t: tf.Tensor, what: string): void {
    if (t.rank < 1) {
      throw new PPLConfigError(`Categorical: '${what}' must have at least one dim (the categories), got a scalar`, {
        expected: "shape [..., K]",
        actual: "[]",
      });
    }
  }

  /** Normalised probabilities, shape batchShape ++ [K] (from the given probs, unclamped: an impossible category has 0). */
  get probs(): tf.Tensor {
    const p = this.givenProbs;
    return p === undefined ? this.logits.exp() : tf.tidy(() => p.div(p.sum(-1, true)));
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Categorical")): tf.Tensor {
    // inverse-CDF with one uniform per draw: identical on every backend
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const cdf = cumsumLast(this.probs);
      const u = uniformNoise([...shape, 1], 0, 1, seed);
      const total = cdf.slice(new Array<number>(cdf.rank).fill(0).map((_, i) => (i === cdf.rank - 1 ? this.numCategories - 1 : 0)));
      const below = broadcastTo(cdf, [...shape, this.numCategories]).less(u.mul(total)).cast("int32").sum(-1);
      return below.minimum(this.numCategories - 1).cast("int32");
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    // the enumerated support (Pyro's _pyro_categorical_support): the logits with the category axis moved to the
    // enumeration dim, one reshape (or transpose), no gather or one-hot; constant along the plate dims it lacks
    if (isArangeIndex(value) && value.shape[0] === this.numCategories) return vindex(this.logits, "...", value);
    return tf.tidy(() => {
      const K = this.numCategories;
      const shape = broadcastShapes([value.shape, this.batchShape], "Categorical value and batch shapes");
      // the one-hot select below works at rank batch + 1, which wasm gets wrong from rank 7 (docs/tfjs-notes.md §4): gather instead
      if (shape.length >= MAX_SAFE_RANK) return vindex(this.logits, "...", value.dtype === "int32" ? value : value.cast("int32"));
      const hot = tf.oneHot(broadcastTo(value.cast("int32"), shape).flatten(), K).reshape([...shape, K]).cast("bool");
      const logits = broadcastTo(this.logits, [...shape, K]);
      return tf.where(hot, logits, tf.zerosLike(logits)).sum(-1);
    });
  }

  /** Only for Categorical itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Categorical ? [Categorical, this.logits] : undefined;
  }

  /** One gather over all rows (a rank-safe flat gather): the logits get one gradient. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return tf.tidy(() => {
      const layout = batchedLayout(this.name, values, [batchShape, this.batchShape]);
      const index = layout.values.dtype === "int32" ? layout.values : layout.values.cast("int32");
      return broadcastTo(vindex(this.logits, "...", index), layout.outShape);
    });
  }

  override supportSize(): number {
    return this.numCategories;
  }

  override enumerateSupport(expand = true): tf.Tensor {
    const K = this.numCategories;
    const values = tf.range(0, K, 1, "int32").reshape([K, ...this.batchShape.map(() => 1)]);
    markArangeIndex(values);
    return expand ? broadcastTo(values, [K, ...this.batchShape]) : values;
  }

  override enumerateSupportAt(dim: number, expand = false): tf.Tensor {
    if (expand || !Number.isInteger(dim) || dim >= 0) return super.enumerateSupportAt(dim, expand);
    const K = this.numCategories;
    const key = `${K}@${dim}`;
    let t = supports.get(key);
    if (t === undefined || t.isDisposed) {
      t = tf.tensor(Int32Array.from({ length: K }, (_, i) => i), [K, ...new Array<number>(-dim - 1).fill(1)], "int32");
      markArangeIndex(t);
      supports.set(key, t);
    }
    return t;
  }

  /** -Σ p log p over the categories, in nats. */
  override entropy(): tf.Tensor {
    return categoricalEntropy(this.logits);
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => this.probs.mul(tf.range(0, this.numCategories)).sum(-1));
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const k = tf.range(0, this.numCategories);
      const m = this.probs.mul(k).sum(-1, true);
      return this.probs.mul(k.sub(m).square()).sum(-1);
    });
  }
}
