/**
 * The Distribution base class and the three shape wrappers every
 * distribution gets for free: `expand` (Expanded), `toEvent` (Independent)
 * and `mask` (Masked). They live in one file because the base class returns
 * them and JS modules cannot extend a class across an import cycle.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, independent } from "../../constraints/constraint.js";
import { PPLShapeError, formatShape, PPLModelError } from "../../errors.js";
import { broadcastShapes, broadcastTo, shapesEqual, sumRightmost } from "../../ops/tensor.js";
import { isArangeIndex } from "../../ops/vindex.js";
import { checkTensorElements } from "../../tensor-limit.js";

/**
 * The base of every distribution (Pyro's `TorchDistribution`): shapes, `sample`, `logProb`,
 * moments, and the shape wrappers `expand`, `toEvent` and `mask`. A family with declared
 * arguments extends `Parameterized(name, argConstraints)` instead of this class directly.
 */
export abstract class Distribution {
  /** The distribution's name in error messages. */
  abstract readonly name: string;
  /** The shape of independent, non-identical draws (the broadcast of the arguments' batch parts). */
  abstract readonly batchShape: readonly number[];
  /** The shape of one draw ([] for a scalar family, [K] for a Dirichlet). */
  abstract readonly eventShape: readonly number[];
  /** The set the values live in (`bijectTo(support)` maps the reals onto it). */
  abstract readonly support: Constraint;
  /** True when `sample` is differentiable in the parameters (reparameterised). */
  readonly hasRsample: boolean = false;
  /** True for finite discrete distributions that `enumerateSupport` can list. */
  readonly hasEnumerateSupport: boolean = false;

  /** Draw a sample of shape sampleShape ++ batchShape ++ eventShape. */
  abstract sample(sampleShape?: readonly number[], seed?: number): tf.Tensor;
  /**
   * Log-density of `value`; shape is the broadcast of value's batch part with
   * batchShape. One exception: at an enumerated support (a tagged arange, see
   * `enumerateSupportAt`) a batch dim the result is constant along may stay
   * size 1 (an Expanded distribution does not copy its result along the dims
   * it added): the contraction that reads such values treats a missing dim as
   * constant.
   */
  abstract logProb(value: tf.Tensor): tf.Tensor;

  /**
   * The batching hook. Sites whose keys are element-wise `===` (and whose
   * values have equal shapes and dtypes) may be scored together by the first
   * one's `logProbBatched`: the key must name everything the log-density
   * depends on besides the value (the class, the parameter tensors, an
   * expanded batch shape). Undefined (the default): never batched.
   */
  batchKey(): readonly unknown[] | undefined {
    return undefined;
  }

  /**
   * Log-densities of n values stacked on a new leading axis: [n, ...valueShape]
   * -> [n, ...logProbShape], row i equal to `logProb(values[i])` broadcast to
   * `batchShape` (default this.batchShape; Expanded and Independent pass their
   * target down, so a family's fused op writes the full shape at once). The
   * default loops over logProb; a family overrides it with one op, so its
   * parameters get one gradient instead of a sum of n.
   */
  logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    checkBatchedValues(this.name, values);
    return tf.tidy(() => {
      const rows = tf.unstack(values).map((v) => this.logProb(v));
      const shape = broadcastShapes([...rows.map((r) => r.shape), batchShape], `${this.name} log-density`);
      return tf.stack(rows.map((r) => broadcastTo(r, shape)));
    });
  }

  /** The mean, shape batchShape ++ eventShape; PPLModelError where there is no closed form. */
  get mean(): tf.Tensor {
    throw new PPLModelError(`${this.name} has no closed-form mean; estimate it from samples (.sample([n]).mean(0))`);
  }
  /** The (elementwise) variance, shape batchShape ++ eventShape; PPLModelError where there is no closed form. */
  get variance(): tf.Tensor {
    throw new PPLModelError(`${this.name} has no closed-form variance; estimate it from samples`);
  }

  /** Differential (or discrete) entropy per batch element, shape batchShape, where a closed form exists. */
  entropy(): tf.Tensor {
    throw new PPLModelError(`${this.name} has no closed-form entropy; estimate it from samples (-logProb(sample).mean)`);
  }

  /** P(X <= value), elementwise over a scalar event; shape the broadcast of value with batchShape. */
  cdf(value: tf.Tensor): tf.Tensor {
    void value;
    throw new PPLModelError(`${this.name} has no closed-form cdf`);
  }

  /** The inverse of `cdf`: the value x with cdf(x) = q, for q in [0, 1]; shape the broadcast of q with batchShape. */
  icdf(q: tf.Tensor): tf.Tensor {
    void q;
    throw new PPLModelError(`${this.name} has no closed-form icdf (quantile function)`);
  }

  /**
   * Every value of a finite support. Shape [n, 1, ..., 1] ++ eventShape with one 1
   * per batch dim, or [n] ++ batchShape ++ eventShape when `expand` is true.
   */
  enumerateSupport(expand = true): tf.Tensor {
    void expand;
    throw new PPLModelError(
      `${this.name} has no finite support to enumerate: only discrete distributions (Categorical, Bernoulli, Binomial) can be enumerated`,
    );
  }

  /** How many values `enumerateSupport` lists (default: it lists them and counts). */
  supportSize(): number {
    return tf.tidy(() => this.enumerateSupport(false).shape[0]!);
  }

  /**
   * The support laid out for an enumeration dim `dim` (< 0): shape
   * [n, 1, ..., 1] ++ eventShape with -dim - 1 ones, or with the batch shape
   * spelled out on the right when `expand` is true. A reshape of
   * `enumerateSupport`, so a support's arange tag (which lets Categorical and
   * vindex index by a reshape) is carried; a family may return a cached tensor.
   */
  enumerateSupportAt(dim: number, expand = false): tf.Tensor {
    return tf.tidy(() => {
      const support = this.enumerateSupport(expand);
      const n = support.shape[0]!;
      const batch = expand ? support.shape.slice(1, support.rank - this.eventShape.length) : [];
      const lead = -dim - 1 - batch.length;
      if (!Number.isInteger(dim) || lead < 0) {
        throw new PPLShapeError(
          `${this.name}.enumerateSupportAt(${dim}): the enumeration dim must be an integer left of the ${batch.length} batch dims`,
          { expected: `an integer <= ${-1 - batch.length}`, actual: String(dim) },
        );
      }
      return support.reshape([n, ...new Array<number>(lead).fill(1), ...batch, ...this.eventShape]);
    });
  }

  /** Same distribution with a larger batch shape (broadcast, not copied). */
  expand(batchShape: readonly number[]): Distribution {
    if (shapesEqual(batchShape, this.batchShape)) return this;
    return new Expanded(this, batchShape);
  }

  /** Add `sampleShape` dims on the left of the batch shape (Pyro's `expand_by`): expand to sampleShape ++ batchShape. */
  expandBy(sampleShape: readonly number[]): Distribution {
    if (!sampleShape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new PPLShapeError(`${this.name}.expandBy(${formatShape(sampleShape)}): sizes must be non-negative integers`, {
        expected: "non-negative integer sizes",
        actual: formatShape(sampleShape),
      });
    }
    return this.expand([...sampleShape, ...this.batchShape]);
  }

  /** Treat the rightmost `n` batch dims as event dims (Pyro's `to_event`). */
  toEvent(n = 1): Distribution {
    if (n === 0) return this;
    return new Independent(this, n);
  }

  /** Zero the log-density where `mask` is false. */
  mask(mask: tf.Tensor | boolean): Distribution {
    if (mask === true) return this;
    return new Masked(this, mask);
  }

  /**
   * Full shape of a sample with this sample shape (Pyro's `_extended_shape`). Every family's `sample` sizes its
   * draw here, so a draw over ppl's tensor limit (`dist.Normal(0, 1).sample([1e9])`) is refused here, naming the
   * family, before anything is allocated.
   */
  shape(sampleShape: readonly number[] = []): number[] {
    const shape = [...sampleShape, ...this.batchShape, ...this.eventShape];
    checkTensorElements(shape.reduce((a, b) => a * b, 1), () => ({
      subject: `${this.name}.sample([${sampleShape.join(", ")}])`,
      holds: `a draw of shape ${formatShape(shape)}`,
      fix: "draw fewer values at once (a loop of smaller draws), or a smaller batch",
    }));
    return shape;
  }

  /** The number of event dims (eventShape.length). */
  get eventDim(): number {
    return this.eventShape.length;
  }
}

/** Reinterpret the rightmost `reinterpreted` batch dims as event dims. */
export class Independent extends Distribution {
  readonly name: string;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;

  /**
   * @param base the distribution whose batch dims become event dims
   * @param reinterpreted how many of its rightmost batch dims
   */
  constructor(readonly base: Distribution, readonly reinterpreted: number) {
    super();
    const bs = base.batchShape;
    if (reinterpreted > bs.length) {
      throw new PPLShapeError(
        `${base.name}.toEvent(${reinterpreted}): the batch shape ${formatShape(bs)} has only ${bs.length} dims`,
        { expected: `at most ${bs.length}`, actual: String(reinterpreted) },
      );
    }
    this.name = base.name;
    this.batchShape = bs.slice(0, bs.length - reinterpreted);
    this.eventShape = [...bs.slice(bs.length - reinterpreted), ...base.eventShape];
    this.support = independent(base.support, reinterpreted);
    this.hasRsample = base.hasRsample;
    this.hasEnumerateSupport = false;
  }
  sample(sampleShape: readonly number[] = [], seed?: number): tf.Tensor {
    return this.base.sample(sampleShape, seed);
  }
  logProb(value: tf.Tensor): tf.Tensor {
    return sumRightmost(this.base.logProb(value), this.reinterpreted);
  }
  override batchKey(): readonly unknown[] | undefined {
    const key = this.base.batchKey();
    return key === undefined ? undefined : [Independent, this.reinterpreted, ...key];
  }
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    const inner = this.base.batchShape.slice(this.base.batchShape.length - this.reinterpreted);
    return sumRightmost(this.base.logProbBatched(values, [...batchShape, ...inner]), this.reinterpreted);
  }
  override get mean(): tf.Tensor {
    return this.base.mean;
  }
  override get variance(): tf.Tensor {
    return this.base.variance;
  }
  /** The base's entropies summed over the reinterpreted dims. */
  override entropy(): tf.Tensor {
    return sumRightmost(this.base.entropy(), this.reinterpreted);
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (shapesEqual(batchShape, this.batchShape)) return this;
    const inner = this.base.batchShape.slice(this.base.batchShape.length - this.reinterpreted);
    return new Independent(this.base.expand([...batchShape, ...inner]), this.reinterpreted);
  }
}

/** A distribution broadcast to a larger batch shape; draws are independent along new dims. */
export class Expanded extends Distribution {
  readonly name: string;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;

  /**
   * @param base the distribution to broadcast
   * @param batchShape the new batch shape, which base's broadcasts to
   */
  constructor(readonly base: Distribution, batchShape: readonly number[]) {
    super();
    const bs = base.batchShape;
    let ok = batchShape.length >= bs.length;
    if (ok) {
      try {
        ok = shapesEqual(broadcastShapes([bs, batchShape]), batchShape);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new PPLShapeError(
        `${base.name}.expand(${formatShape(batchShape)}): batch shape ${formatShape(bs)} cannot be broadcast to it`,
        { expected: `a shape that ${formatShape(bs)} broadcasts to`, actual: formatShape(batchShape) },
      );
    }
    this.name = base.name;
    this.batchShape = [...batchShape];
    this.eventShape = base.eventShape;
    this.support = base.support;
    this.hasRsample = base.hasRsample;
    this.hasEnumerateSupport = base.hasEnumerateSupport;
  }

  sample(sampleShape: readonly number[] = [], seed?: number): tf.Tensor {
    const R = this.batchShape.length;
    const lead = R - this.base.batchShape.length;
    if (shapesEqual(this.batchShape.slice(lead), this.base.batchShape)) {
      // only new dims on the left (a plate's, vectorised particles'): they are sample dims of the base, drawn in
      // the same order as below, and the base's draw is the value itself, made outside a tidy as the base makes
      // it unexpanded (a guide that caches what it drew for that value, such as AutoNormal's, still finds it)
      return this.base.sample([...sampleShape, ...this.batchShape.slice(0, lead)], seed);
    }
    return tf.tidy(() => {
      const padded = [...new Array<number>(lead).fill(1), ...this.base.batchShape];
      // dims that are 1 in the base and larger here need their own draws
      const fresh = padded.map((b, i) => (b === 1 && this.batchShape[i]! > 1 ? i : -1)).filter((i) => i >= 0);
      const freshSizes = fresh.map((i) => this.batchShape[i]!);
      const x = this.base.sample([...sampleShape, ...freshSizes], seed);
      const ns = sampleShape.length;
      const nf = fresh.length;
      const ne = this.eventShape.length;
      // x: [...sample, ...fresh, ...baseBatch, ...event]; view baseBatch as padded
      const y = x.reshape([...sampleShape, ...freshSizes, ...padded, ...this.eventShape]);
      const perm: number[] = Array.from({ length: ns }, (_, i) => i);
      const ones: number[] = [];
      for (let i = 0; i < R; i++) {
        const f = fresh.indexOf(i);
        if (f >= 0) {
          perm.push(ns + f);
          ones.push(ns + nf + i);
        } else perm.push(ns + nf + i);
      }
      perm.push(...ones);
      for (let e = 0; e < ne; e++) perm.push(ns + nf + R + e);
      return y.transpose(perm).reshape(this.shape(sampleShape));
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    const lp = this.base.logProb(value);
    // at an enumerated support the result is constant along the added dims: left at size 1, not copied (see Distribution.logProb)
    if (isArangeIndex(value)) return lp;
    const target = broadcastShapes([lp.shape, this.batchShape], `${this.name} log-density`);
    return broadcastTo(lp, target);
  }
  override batchKey(): readonly unknown[] | undefined {
    const key = this.base.batchKey();
    return key === undefined ? undefined : [Expanded, this.batchShape.join(","), ...key];
  }
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return this.base.logProbBatched(values, batchShape);
  }
  override supportSize(): number {
    return this.base.supportSize();
  }
  override enumerateSupportAt(dim: number, expand = false): tf.Tensor {
    // unexpanded, the layout depends on the dim alone: the base's (possibly cached) tensor serves
    return expand ? super.enumerateSupportAt(dim, true) : this.base.enumerateSupportAt(dim, false);
  }

  override enumerateSupport(expand = true): tf.Tensor {
    const values = this.base.enumerateSupport(false);
    const n = values.shape[0]!;
    const shaped = values.reshape([n, ...new Array<number>(this.batchShape.length).fill(1), ...this.eventShape]);
    return expand ? broadcastTo(shaped, [n, ...this.batchShape, ...this.eventShape]) : shaped;
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.base.mean, this.shape());
  }
  override get variance(): tf.Tensor {
    return broadcastTo(this.base.variance, this.shape());
  }
  override entropy(): tf.Tensor {
    return broadcastTo(this.base.entropy(), this.batchShape);
  }
  override cdf(value: tf.Tensor): tf.Tensor {
    const c = this.base.cdf(value);
    return broadcastTo(c, broadcastShapes([c.shape, this.batchShape], `${this.name} cdf`));
  }
  override icdf(q: tf.Tensor): tf.Tensor {
    const x = this.base.icdf(q);
    return broadcastTo(x, broadcastShapes([x.shape, this.batchShape], `${this.name} icdf`));
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (shapesEqual(batchShape, this.batchShape)) return this;
    return new Expanded(this.base, batchShape);
  }
}

/** Log-density zeroed where the mask is false; sampling unchanged. */
export class Masked extends Distribution {
  readonly name: string;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;

  /**
   * @param base the distribution whose log-density is masked
   * @param maskValue a boolean tensor broadcasting with the batch shape (false: every element masked out)
   */
  constructor(readonly base: Distribution, readonly maskValue: tf.Tensor | false) {
    super();
    this.name = base.name;
    this.batchShape =
      maskValue === false ? base.batchShape : broadcastShapes([base.batchShape, maskValue.shape], `${base.name}.mask`);
    this.eventShape = base.eventShape;
    this.support = base.support;
    this.hasRsample = base.hasRsample;
    this.hasEnumerateSupport = base.hasEnumerateSupport;
  }
  sample(sampleShape: readonly number[] = [], seed?: number): tf.Tensor {
    return this.base.expand(this.batchShape).sample(sampleShape, seed);
  }
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lp = this.base.logProb(value);
      if (this.maskValue === false) return tf.zerosLike(lp);
      const m = this.maskValue.cast("bool");
      const shape = broadcastShapes([lp.shape, m.shape]);
      return tf.where(broadcastTo(m, shape), broadcastTo(lp, shape), tf.zeros(shape));
    });
  }
  override enumerateSupport(expand = true): tf.Tensor {
    return this.base.expand(this.batchShape).enumerateSupport(expand);
  }
  override supportSize(): number {
    return this.base.supportSize();
  }
  override enumerateSupportAt(dim: number, expand = false): tf.Tensor {
    return expand ? super.enumerateSupportAt(dim, true) : this.base.enumerateSupportAt(dim, false);
  }
  override get mean(): tf.Tensor {
    return this.base.mean;
  }
  override get variance(): tf.Tensor {
    return this.base.variance;
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (shapesEqual(batchShape, this.batchShape)) return this;
    return new Masked(this.base.expand(batchShape), this.maskValue);
  }
}

/** logProbBatched's values need the leading batch axis. */
export function checkBatchedValues(name: string, values: tf.Tensor): void {
  if (values.rank === 0) {
    throw new PPLShapeError(`${name}.logProbBatched: the values must be stacked on a leading axis, got a scalar`, {
      expected: "shape [n, ...valueShape]",
      actual: "[]",
    });
  }
}
