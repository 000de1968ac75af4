/**
 * Constraints: where a value lives. Each knows how to check a value and the
 * number of rightmost dims it constrains jointly (`eventDim`).
 */
import * as tf from "@tensorflow/tfjs-core";
import { choleskyNumbers } from "../ops/linalg.js";

/**
 * Where a value lives (Pyro's `constraints.*`): a distribution's `support`, a
 * param's `constraint`. `bijectTo(c)` / `transformTo(c)` map reals onto it.
 *
 * @example
 * const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
 * constraints.interval(0, 1).check(tf.tensor1d([0.5, 2])); // [true, false]
 */
export abstract class Constraint {
  /** A short name for messages (e.g. "positive", "interval(0, 1)"). */
  abstract readonly name: string;
  /** Rightmost dims that are checked jointly (1 for a simplex). */
  readonly eventDim: number = 0;
  /** Boolean tensor of the value's shape minus `eventDim` dims. */
  abstract check(value: tf.Tensor): tf.Tensor;
  /** Whether the values are discrete (integers, booleans): such a site can be enumerated, not learned by gradient. */
  readonly isDiscrete: boolean = false;
  /**
   * Whether the constraint refers to tensors (bounds a distribution made from its parameters, e.g. `Uniform(0, a)`'s
   * interval(0, a)). Such a constraint, and `bijectTo` of it, belongs to the run that made it: a guide reads it from
   * the current run instead of keeping it.
   */
  get holdsTensors(): boolean {
    return false;
  }
  /** The name. */
  toString(): string {
    return this.name;
  }
}

class Real extends Constraint {
  readonly name = "real";
  check(v: tf.Tensor): tf.Tensor {
    return tf.isFinite(v);
  }
}

class GreaterThan extends Constraint {
  readonly name: string;
  constructor(readonly lowerBound: number) {
    super();
    this.name = lowerBound === 0 ? "positive" : `greaterThan(${lowerBound})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(v.greater(this.lowerBound), tf.isFinite(v));
  }
}

class Interval extends Constraint {
  readonly name: string;
  constructor(readonly lowerBound: number, readonly upperBound: number) {
    super();
    this.name = lowerBound === 0 && upperBound === 1 ? "unitInterval" : `interval(${lowerBound}, ${upperBound})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(v.greaterEqual(this.lowerBound), v.lessEqual(this.upperBound));
  }
}

class Simplex extends Constraint {
  readonly name = "simplex";
  override readonly eventDim = 1;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.logicalAnd(v.greaterEqual(0).all(-1), v.sum(-1).sub(1).abs().less(1e-5 * Math.max(1, v.shape[v.rank - 1]!))),
    );
  }
}

class IntegerInterval extends Constraint {
  readonly name: string;
  override readonly isDiscrete = true;
  /** Bounds may be tensors (Binomial's totalCount), broadcast against the value. */
  constructor(readonly lowerBound: number | tf.Tensor, readonly upperBound: number | tf.Tensor) {
    super();
    this.name = `integerInterval(${formatBound(lowerBound)}, ${formatBound(upperBound)})`;
  }
  override get holdsTensors(): boolean {
    return typeof this.lowerBound !== "number" || typeof this.upperBound !== "number";
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.logicalAnd(tf.logicalAnd(v.greaterEqual(this.lowerBound), v.lessEqual(this.upperBound)), v.equal(v.floor())),
    );
  }
}

/** Integers >= lowerBound (nonnegativeInteger is lowerBound 0). */
class IntegerGreaterThan extends Constraint {
  readonly name: string;
  override readonly isDiscrete = true;
  constructor(readonly lowerBound: number) {
    super();
    this.name = lowerBound === 0 ? "nonnegativeInteger" : lowerBound === 1 ? "positiveInteger" : `integerGreaterThan(${lowerBound})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalAnd(tf.logicalAnd(v.greaterEqual(this.lowerBound), v.equal(v.floor())), tf.isFinite(v)));
  }
}

/** 0 or 1 (Bernoulli's support). */
class BooleanConstraint extends Constraint {
  readonly name = "boolean";
  override readonly isDiscrete = true;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalOr(v.equal(0), v.equal(1)));
  }
}

/** x >= lowerBound (nonnegative is lowerBound 0). */
class GreaterThanEq extends Constraint {
  readonly name: string;
  constructor(readonly lowerBound: number) {
    super();
    this.name = lowerBound === 0 ? "nonnegative" : `greaterThanEq(${lowerBound})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(v.greaterEqual(this.lowerBound), tf.isFinite(v));
  }
}

/**
 * low <= x <= high with tensor bounds broadcast against the value: the
 * support of a Uniform whose bounds differ across its batch.
 */
class TensorInterval extends Constraint {
  readonly name: string;
  constructor(readonly lowerBound: tf.Tensor, readonly upperBound: tf.Tensor) {
    super();
    this.name = `interval(${formatBound(lowerBound)}, ${formatBound(upperBound)})`;
  }
  override get holdsTensors(): boolean {
    return true;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalAnd(v.greaterEqual(this.lowerBound), v.lessEqual(this.upperBound)));
  }
}

/** Square matrices, lower triangular with a positive diagonal (a Cholesky factor). */
class LowerCholesky extends Constraint {
  readonly name = "lowerCholesky";
  override readonly eventDim = 2;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = v.shape[v.rank - 1]!;
      const upper = tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i ? 1 : 0))));
      const upperZero = v.mul(upper).equal(0).all([-2, -1]);
      const diagPositive = v.mul(tf.eye(n)).sum(-1).greater(0).all(-1);
      return tf.logicalAnd(tf.logicalAnd(upperZero, diagPositive), tf.isFinite(v).all([-2, -1]));
    });
  }
}

/** Symmetric positive-definite matrices: symmetric to float32 rounding, and a Cholesky factor exists. */
class PositiveDefinite extends Constraint {
  readonly name = "positiveDefinite";
  override readonly eventDim = 2;
  check(v: tf.Tensor): tf.Tensor {
    const n = v.shape[v.rank - 1]!;
    const data = v.dataSync();
    const count = data.length / (n * n);
    const ok = new Uint8Array(count);
    for (let b = 0; b < count; b++) {
      const m = data.subarray(b * n * n, (b + 1) * n * n);
      let symmetric = true;
      for (let i = 0; i < n && symmetric; i++) {
        for (let j = 0; j < i; j++) {
          const a = m[i * n + j]!;
          const c = m[j * n + i]!;
          if (!(Math.abs(a - c) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(c)))) symmetric = false;
        }
      }
      ok[b] = symmetric && choleskyNumbers(m, n) !== null ? 1 : 0;
    }
    return tf.tensor(ok, v.shape.slice(0, -2), "bool");
  }
}

function formatBound(b: number | tf.Tensor): string {
  if (typeof b === "number") return String(b);
  return b.size === 1 ? String(+b.dataSync()[0]!.toPrecision(6)) : `tensor of shape [${b.shape.join(", ")}]`;
}

class Dependent extends Constraint {
  readonly name = "dependent";
  check(v: tf.Tensor): tf.Tensor {
    return tf.onesLike(v).cast("bool");
  }
}

/** Constrains `base` jointly over `n` more rightmost dims (Pyro's `independent`). */
export class IndependentConstraint extends Constraint {
  readonly name: string;
  override readonly eventDim: number;
  override readonly isDiscrete: boolean;
  constructor(readonly base: Constraint, readonly reinterpreted: number) {
    super();
    this.name = `independent(${base.name}, ${reinterpreted})`;
    this.eventDim = base.eventDim + reinterpreted;
    this.isDiscrete = base.isDiscrete;
  }
  override get holdsTensors(): boolean {
    return this.base.holdsTensors;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = this.base.check(v);
      if (this.reinterpreted === 0) return c;
      const axes = Array.from({ length: this.reinterpreted }, (_, i) => c.rank - 1 - i);
      return c.all(axes);
    });
  }
}

/** Every real number (the default param constraint). */
export const real: Constraint = new Real();
/** x > 0. */
export const positive: Constraint = new GreaterThan(0);
/** x >= 0. */
export const nonnegative: Constraint = new GreaterThanEq(0);
/** 0 < x < 1 (checked as the closed interval [0, 1]). */
export const unitInterval: Constraint = new Interval(0, 1);
/** Nonnegative vectors that sum to 1 along the last dim (eventDim 1). */
export const simplex: Constraint = new Simplex();
/** A support that depends on other values (e.g. a TransformedDistribution's); cannot be checked or learned. */
export const dependent: Constraint = new Dependent();
/** 0 or 1. */
export const boolean: Constraint = new BooleanConstraint();
/** 0, 1, 2, ... */
export const nonnegativeInteger: Constraint = new IntegerGreaterThan(0);
/** 1, 2, 3, ... */
export const positiveInteger: Constraint = new IntegerGreaterThan(1);
/** Lower-triangular square matrices with a positive diagonal (eventDim 2). */
export const lowerCholesky: Constraint = new LowerCholesky();
/** Symmetric positive-definite matrices (eventDim 2). */
export const positiveDefinite: Constraint = new PositiveDefinite();
/** x > lowerBound. */
export const greaterThan = (lowerBound: number): Constraint => new GreaterThan(lowerBound);
/** x >= lowerBound. */
export const greaterThanEq = (lowerBound: number): Constraint => new GreaterThanEq(lowerBound);
/** [lowerBound, upperBound]; tensor bounds give a batch of intervals (see TensorInterval). */
export function interval(lowerBound: number, upperBound: number): Constraint;
export function interval(lowerBound: number | tf.Tensor, upperBound: number | tf.Tensor): Constraint;
export function interval(lowerBound: number | tf.Tensor, upperBound: number | tf.Tensor): Constraint {
  if (typeof lowerBound === "number" && typeof upperBound === "number") return new Interval(lowerBound, upperBound);
  const lo = typeof lowerBound === "number" ? tf.scalar(lowerBound) : lowerBound;
  const hi = typeof upperBound === "number" ? tf.scalar(upperBound) : upperBound;
  return new TensorInterval(lo, hi);
}
/** Integers in [lowerBound, upperBound]; tensor bounds give a batch (Binomial's support). */
export const integerInterval = (lowerBound: number | tf.Tensor, upperBound: number | tf.Tensor): Constraint =>
  new IntegerInterval(lowerBound, upperBound);
/** Integers >= lowerBound. */
export const integerGreaterThan = (lowerBound: number): Constraint => new IntegerGreaterThan(lowerBound);
/**
 * `base`, checked jointly over `n` more rightmost dims (Pyro's
 * `constraints.independent`); `n = 0` returns `base`.
 */
export const independent = (base: Constraint, n: number): Constraint =>
  n === 0 ? base : new IndependentConstraint(base, n);

export {
  GreaterThan, GreaterThanEq, Interval, TensorInterval, Simplex, IntegerInterval, IntegerGreaterThan, Real,
  BooleanConstraint, LowerCholesky, PositiveDefinite,
};
