/**
 * Constraints: where a value lives. Each knows how to check a value and the
 * number of rightmost dims it constrains jointly (`eventDim`).
 */
import * as tf from "@tensorflow/tfjs";

export abstract class Constraint {
  abstract readonly name: string;
  /** Rightmost dims that are checked jointly (1 for a simplex). */
  readonly eventDim: number = 0;
  /** Boolean tensor of the value's shape minus `eventDim` dims. */
  abstract check(value: tf.Tensor): tf.Tensor;
  readonly isDiscrete: boolean = false;
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
  constructor(readonly lowerBound: number, readonly upperBound: number) {
    super();
    this.name = `integerInterval(${lowerBound}, ${upperBound})`;
  }
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.logicalAnd(tf.logicalAnd(v.greaterEqual(this.lowerBound), v.lessEqual(this.upperBound)), v.equal(v.floor())),
    );
  }
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
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = this.base.check(v);
      if (this.reinterpreted === 0) return c;
      const axes = Array.from({ length: this.reinterpreted }, (_, i) => c.rank - 1 - i);
      return c.all(axes);
    });
  }
}

export const real: Constraint = new Real();
export const positive: Constraint = new GreaterThan(0);
export const unitInterval: Constraint = new Interval(0, 1);
export const simplex: Constraint = new Simplex();
export const dependent: Constraint = new Dependent();
export const greaterThan = (lowerBound: number): Constraint => new GreaterThan(lowerBound);
export const interval = (lowerBound: number, upperBound: number): Constraint => new Interval(lowerBound, upperBound);
export const integerInterval = (lowerBound: number, upperBound: number): Constraint =>
  new IntegerInterval(lowerBound, upperBound);
export const independent = (base: Constraint, n: number): Constraint =>
  n === 0 ? base : new IndependentConstraint(base, n);

export { GreaterThan, Interval, Simplex, IntegerInterval, Real };
