/**
 * The Distribution base class and the three shape wrappers every
 * distribution gets for free: `expand` (Expanded), `toEvent` (Independent)
 * and `mask` (Masked). They live in one file because the base class returns
 * them and JS modules cannot extend a class across an import cycle.
 */
import * as tf from "@tensorflow/tfjs";
import { type Constraint, independent } from "../constraints/constraint.js";
import { PPLShapeError, formatShape, PPLModelError } from "../errors.js";
import { broadcastShapes, broadcastTo, shapesEqual, sumRightmost } from "../ops/tensor.js";

export abstract class Distribution {
  /** The distribution's name in error messages. */
  abstract readonly name: string;
  abstract readonly batchShape: readonly number[];
  abstract readonly eventShape: readonly number[];
  abstract readonly support: Constraint;
  /** True when `sample` is differentiable in the parameters (reparameterised). */
  readonly hasRsample: boolean = false;
  /** True for finite discrete distributions that `enumerateSupport` can list. */
  readonly hasEnumerateSupport: boolean = false;

  /** Draw a sample of shape sampleShape ++ batchShape ++ eventShape. */
  abstract sample(sampleShape?: readonly number[], seed?: number): tf.Tensor;
  /** Log-density of `value`; shape is the broadcast of value's batch part with batchShape. */
  abstract logProb(value: tf.Tensor): tf.Tensor;

  get mean(): tf.Tensor {
    throw new PPLModelError(`${this.name} has no closed-form mean; estimate it from samples (.sample([n]).mean(0))`);
  }
  get variance(): tf.Tensor {
    throw new PPLModelError(`${this.name} has no closed-form variance; estimate it from samples`);
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

  /** Full shape of a sample with this sample shape. */
  shape(sampleShape: readonly number[] = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

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
  override get mean(): tf.Tensor {
    return this.base.mean;
  }
  override get variance(): tf.Tensor {
    return this.base.variance;
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
    return tf.tidy(() => {
      const R = this.batchShape.length;
      const padded = [...new Array<number>(R - this.base.batchShape.length).fill(1), ...this.base.batchShape];
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
    const target = broadcastShapes([lp.shape, this.batchShape], `${this.name} log-density`);
    return broadcastTo(lp, target);
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
