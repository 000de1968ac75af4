/**
 * Transforms between unconstrained reals and a constrained space, with the
 * log |det J| of the forward map. `eventDim` is how many rightmost dims the
 * Jacobian couples (1 for stick-breaking). All are bijective except
 * SoftmaxTransform, which only keeps params (transformTo).
 */
import * as tf from "@tensorflow/tfjs-core";
import { cholesky, matrixDiag, outerSelf, tril } from "../ops/linalg.js";
import { stickBreaking } from "../ops/stick-breaking.js";
import { elementwiseOp } from "../ops/elementwise-op.js";
import { cumsumLast, logSigmoid, type TensorLike, toTensor } from "../ops/tensor.js";
import { PPLConfigError } from "../errors.js";
import {
  type Constraint, independent, lowerCholesky, positive, positiveDefinite, real, simplex, unitInterval,
} from "./constraint.js";

/**
 * A map y = f(x) from one space to another, with its inverse and log |det J|
 * (Pyro's `torch.distributions.transforms.Transform`). `bijectTo(c)` and
 * `transformTo(c)` pick one from unconstrained reals onto a constraint;
 * `TransformedDistribution` pushes a base distribution through a list of them.
 *
 * @example
 * const t = bijectTo(constraints.positive);     // an ExpTransform
 * const y = t.forward(tf.tensor1d([0, 1]));      // [1, e]
 * const x = t.inverse(y);                        // [0, 1]
 * const ladj = t.logAbsDetJacobian(x, y);        // log |dy/dx| = x
 */
export abstract class Transform {
  /** A short name for messages and for the param store's saved state (e.g. "exp"). */
  abstract readonly name: string;
  /** How many rightmost dims the Jacobian couples: 0 for elementwise maps, 1 for a simplex map. */
  readonly eventDim: number = 0;
  /** False for a map that keeps params but cannot carry a density (Pyro's `bijective`). */
  readonly bijective: boolean = true;
  /** Where x lives; where y lives. TransformedDistribution takes its support from the last codomain. */
  readonly domain: Constraint = real;
  /** Where y lives (the constraint this transform maps onto). */
  readonly codomain: Constraint = real;
  /**
   * A bound on |x| within which `forward` gives a finite float32 value inside
   * the codomain, so a value within it needs no check of its image (SVI's
   * check of an update reads the unconstrained values alone: infer/update-check.ts).
   * 0 where no such bound is known: the image is checked.
   */
  readonly safeRadius: number = 0;
  /** y = f(x); a new tensor the caller owns. */
  abstract forward(x: tf.Tensor): tf.Tensor;
  /** x = f⁻¹(y); a new tensor the caller owns. */
  abstract inverse(y: tf.Tensor): tf.Tensor;
  /** log |dy/dx|, summed over `eventDim` dims: shape is x's batch shape. */
  abstract logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /**
   * log |dy/dx| at every element when it is the same number everywhere (an
   * affine map with a number scale), else undefined. A composition adds it as
   * a number and computes nothing of x for it.
   */
  constantLogAbsDetJacobian(): number | undefined {
    return undefined;
  }
  /** Whether logAbsDetJacobian reads its y (a composition computes an intermediate y only for a part that does, or for the next part). */
  readonly logAbsDetJacobianReadsY: boolean = true;
  /** Shape of y for an x of this shape. */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** Shape of x for a y of this shape (a K-simplex has K − 1 unconstrained coordinates). */
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** The inverse map as a Transform (Pyro's `.inv`). */
  get inv(): Transform {
    return new InverseTransform(this);
  }
}

/** y = x (the map onto `real`). */
export class IdentityTransform extends Transform {
  readonly name = "identity";
  override readonly logAbsDetJacobianReadsY = false;
  override readonly safeRadius = Infinity;
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y;
  }
  /** Zeros of x's shape, made from the shape alone: nothing for a gradient to pass back through. */
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.zeros(x.shape, x.dtype);
  }
}

/** y = exp(x): reals onto `positive`. */
export class ExpTransform extends Transform {
  readonly name = "exp";
  override readonly logAbsDetJacobianReadsY = false;
  override readonly codomain: Constraint = positive;
  /** exp(±80) is 5.5e34 and 1.8e-35: finite, positive and normal in float32 (whose largest is 3.4e38, smallest normal 1.2e-38). */
  override readonly safeRadius = 80;
  forward(x: tf.Tensor): tf.Tensor {
    return x.exp();
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y.log();
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/**
 * A number stays a number and a tensor is borrowed (its owner disposes it);
 * an array becomes a tensor the transform owns, kept out of any tf.tidy.
 */
function ownedOrNumber(x: TensorLike): number | tf.Tensor {
  return typeof x === "number" || x instanceof tf.Tensor ? x : tf.keep(toTensor(x));
}

/**
 * y = loc + scale * x, elementwise; loc and scale broadcast against x. Numbers
 * are kept as numbers, so a transform onto interval(0, 10) holds no tensor and
 * outlives any tf.tidy it was made in; tensor loc and scale are borrowed from
 * the caller (bijectTo of a support with tensor bounds belongs to the run that
 * made that support).
 */
export class AffineTransform extends Transform {
  readonly name = "affine";
  override readonly logAbsDetJacobianReadsY = false;
  /** The shift (a number, or any shape that broadcasts against x). */
  readonly loc: number | tf.Tensor;
  /** The factor (a number, or any shape that broadcasts against x; nonzero). */
  readonly scale: number | tf.Tensor;
  constructor(loc: TensorLike, scale: TensorLike) {
    super();
    this.loc = ownedOrNumber(loc);
    this.scale = ownedOrNumber(scale);
  }
  forward(x: tf.Tensor): tf.Tensor {
    const { loc, scale } = this;
    // number bounds (an interval support's): one elementwise op instead of a multiply, an add and their backward
    if (typeof loc === "number" && typeof scale === "number") {
      return elementwiseOp("affine transform", ([v], partials) => {
        partials[0] = scale;
        return v! * scale + loc;
      }, [x]);
    }
    return tf.tidy(() => x.mul(scale).add(loc));
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => y.sub(this.loc).div(this.scale));
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    const s = this.scale;
    return tf.tidy(() => (typeof s === "number" ? tf.fill(x.shape, Math.log(Math.abs(s))) : s.abs().log().add(tf.zerosLike(x))));
  }
  override constantLogAbsDetJacobian(): number | undefined {
    return typeof this.scale === "number" ? Math.log(Math.abs(this.scale)) : undefined;
  }
}

/**
 * y = low + (high − low) · x with tensor bounds, the difference taken when the
 * map is applied (nothing is computed, or kept, when the transform is made):
 * the affine half of bijectTo(interval(low, high)) for a support with tensor
 * bounds, `Uniform(0, a)`'s. The bounds are borrowed from that support.
 */
export class IntervalAffineTransform extends Transform {
  readonly name = "affine";
  override readonly logAbsDetJacobianReadsY = false;
  /** @param low the lower bound; @param high the upper bound (broadcasting with low and x) */
  constructor(readonly low: tf.Tensor, readonly high: tf.Tensor) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => x.mul(this.high.sub(this.low)).add(this.low));
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => y.sub(this.low).div(this.high.sub(this.low)));
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.high.sub(this.low).abs().log().add(tf.zerosLike(x)));
  }
}

/** y = 1 / (1 + exp(−x)): reals onto `unitInterval`. */
export class SigmoidTransform extends Transform {
  readonly name = "sigmoid";
  override readonly logAbsDetJacobianReadsY = false;
  override readonly codomain: Constraint = unitInterval;
  /** σ(±15) is 1 - 3.1e-7 and 3.1e-7: strictly inside (0, 1) in float32 (whose spacing below 1 is 6e-8). */
  override readonly safeRadius = 15;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = y.clipByValue(1e-7, 1 - 1e-7);
      return c.log().sub(tf.neg(c).log1p());
    });
  }
  /** One float64 op (ops/elementwise-op.ts), where the tfjs form was 6 kernels forward and ~10 backward. */
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return elementwiseOp("sigmoid log-Jacobian", sigmoidLogJacobian, [x]);
  }
}

/** log σ'(x) = log σ(x) + log σ(-x) = -|x| - 2 log(1 + e^-|x|), and its derivative σ(-x) - σ(x) = -tanh(x / 2). */
function sigmoidLogJacobian([x]: readonly number[], partials: number[]): number {
  const a = Math.abs(x!);
  partials[0] = -Math.tanh(x! / 2);
  return -a - 2 * Math.log1p(Math.exp(-a));
}

/**
 * Stick-breaking map R^(K-1) -> interior of the K-simplex. The offset makes
 * x = 0 map to the uniform point, as in Pyro.
 */
export class StickBreakingTransform extends Transform {
  readonly name = "stickBreaking";
  override readonly eventDim = 1;
  override readonly domain: Constraint = independent(real, 1);
  override readonly codomain: Constraint = simplex;
  /**
   * Every finite x: ops/stick-breaking.ts works in float64 from log-sigmoids, so each component is the exp of a sum
   * of non-positive numbers (in [0, 1], never NaN) and they sum to 1 to float64's rounding; rounded to float32 they
   * stay non-negative and sum to 1 within about K·2⁻²⁴, far inside the simplex check's 1e-5·K.
   */
  override readonly safeRadius = Infinity;

  private offsetLog(n: number): tf.Tensor {
    // log(K-1), log(K-2), ..., log(1) for K-1 = n
    return tf.tensor1d(Array.from({ length: n }, (_, i) => Math.log(n - i)));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return stickBreaking(x);
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = y.shape[y.rank - 1]!;
      const n = k - 1;
      const size = [...y.shape];
      size[y.rank - 1] = n;
      const crop = y.slice(new Array<number>(y.rank).fill(0), size);
      // stick remaining after each break; clamped so rounding cannot make it <= 0
      const remaining = tf.scalar(1).sub(cumsumLast(crop)).maximum(1.1754944e-38);
      return crop.log().sub(remaining.log()).add(this.offsetLog(n));
    });
  }

  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = x.shape[x.rank - 1]!;
      const u = x.sub(this.offsetLog(n));
      const size = [...y.shape];
      size[y.rank - 1] = n;
      const crop = y.slice(new Array<number>(y.rank).fill(0), size);
      return u.neg().add(logSigmoid(u)).add(crop.log()).sum(-1);
    });
  }

  override forwardShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! + 1;
    return s;
  }
  override inverseShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! - 1;
    return s;
  }
}

/** Apply `parts` left to right. */
export class ComposeTransform extends Transform {
  readonly name: string;
  override readonly eventDim: number;
  override readonly bijective: boolean;
  override readonly domain: Constraint;
  override readonly codomain: Constraint;
  /**
   * @param parts the transforms, applied first to last
   * @param codomain overrides the last part's, e.g. an interval for sigmoid-then-affine
   */
  constructor(readonly parts: readonly Transform[], codomain?: Constraint) {
    super();
    this.name = `compose(${parts.map((p) => p.name).join(", ")})`;
    this.eventDim = Math.max(0, ...parts.map((p) => p.eventDim));
    this.bijective = parts.every((p) => p.bijective);
    this.domain = parts[0]?.domain ?? real;
    this.codomain = codomain ?? parts[parts.length - 1]?.codomain ?? real;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.parts.reduce((v, t) => t.forward(v), x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return this.parts.reduceRight((v, t) => t.inverse(v), y);
  }
  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const last = this.parts.length - 1;
      // a part whose log-Jacobian is a number (with eventDim 0: nothing to sum over) is added as a number, and an
      // intermediate value is recomputed only for a part that reads it (sigmoid then affine: no second sigmoid)
      const constant = this.parts.map((t) => (this.eventDim === 0 ? t.constantLogAbsDetJacobian() : undefined));
      let total: tf.Tensor | undefined;
      let offset = 0;
      // v is the value after parts[0, at)
      let v = x;
      let at = 0;
      for (const [i, t] of this.parts.entries()) {
        const c = constant[i];
        if (c !== undefined) {
          offset += c;
          continue;
        }
        for (; at < i; at++) v = this.parts[at]!.forward(v);
        // the last part's y is the one given; an earlier one's only if its log-Jacobian reads it (else v stands in, unread)
        const out = i === last ? y : t.logAbsDetJacobianReadsY ? t.forward(v) : undefined;
        let term = t.logAbsDetJacobian(v, out ?? v);
        // sum elementwise terms over the event dims the composition couples
        const extra = this.eventDim - t.eventDim;
        if (extra > 0) term = term.sum(Array.from({ length: extra }, (_, d) => term.rank - 1 - d));
        total = total === undefined ? term : total.add(term);
        if (out !== undefined) {
          v = out;
          at = i + 1;
        }
      }
      if (total === undefined) return constant.some((c) => c !== undefined) ? tf.fill(x.shape, offset) : tf.zeros([]);
      return offset === 0 ? total : total.add(offset);
    });
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce((s, t) => t.forwardShape(s), [...shape]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.parts.reduceRight((s, t) => t.inverseShape(s), [...shape]);
  }
}

/**
 * R^(K-1) -> interior of the K-simplex by softmax([x, 0]): symmetric in the
 * first K-1 coordinates, unlike stick-breaking. log|det J| of x -> y[:K-1]
 * is sum over all K of log y.
 */
export class SoftmaxCenteredTransform extends Transform {
  readonly name = "softmaxCentered";
  override readonly eventDim = 1;
  override readonly domain: Constraint = independent(real, 1);
  override readonly codomain: Constraint = simplex;

  private padded(x: tf.Tensor): tf.Tensor {
    const shape = [...x.shape];
    shape[shape.length - 1] = 1;
    return tf.concat([x, tf.zeros(shape)], -1);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.softmax(this.padded(x), -1));
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = y.shape[y.rank - 1]!;
      const begin = new Array<number>(y.rank).fill(0);
      const size = [...y.shape];
      size[y.rank - 1] = k - 1;
      const lastBegin = [...begin];
      lastBegin[y.rank - 1] = k - 1;
      const lastSize = [...y.shape];
      lastSize[y.rank - 1] = 1;
      return y.slice(begin, size).log().sub(y.slice(lastBegin, lastSize).log());
    });
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logSoftmax(this.padded(x), -1).sum(-1));
  }
  override forwardShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! + 1;
    return s;
  }
  override inverseShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! - 1;
    return s;
  }
}

/**
 * Pyro's transform_to(simplex) (torch's SoftmaxTransform): K unconstrained
 * numbers -> the K-simplex by softmax over the last dim; the inverse is log.
 * Not a bijection (adding a constant to x leaves y unchanged), so it keeps
 * params, which need no density, but has no log|det J|: a density pushed onto
 * the simplex needs bijectTo (stick-breaking). Its inverse accepts any
 * positive vector, and softmax(log y) = y / sum(y): an unnormalised init is
 * normalised, as in Pyro.
 */
export class SoftmaxTransform extends Transform {
  readonly name = "softmax";
  override readonly bijective = false;
  override readonly eventDim = 1;
  override readonly domain: Constraint = independent(real, 1);
  override readonly codomain: Constraint = simplex;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.softmax(x, -1);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y.log();
  }
  logAbsDetJacobian(): tf.Tensor {
    throw new PPLConfigError(
      "SoftmaxTransform (transformTo(simplex)) is not bijective, so it has no log|det J|: " +
        "use bijectTo(simplex) (stick-breaking) to push a density onto the simplex",
      { expected: "a bijective transform (bijectTo)", actual: this.name },
    );
  }
}

/**
 * Square matrix -> Cholesky factor, as Pyro's LowerCholeskyTransform: the
 * strict lower triangle is kept, the diagonal exponentiated, the upper
 * triangle dropped (so the inverse leaves it zero). The Jacobian is taken
 * over the lower-triangular coordinates: log|det J| = sum of diag(x).
 */
export class LowerCholeskyTransform extends Transform {
  readonly name = "lowerCholesky";
  override readonly eventDim = 2;
  override readonly domain: Constraint = independent(real, 2);
  override readonly codomain: Constraint = lowerCholesky;
  /** The diagonal is exp(x), as ExpTransform's; the rest is x itself. */
  override readonly safeRadius = 80;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const eye = tf.eye(x.shape[x.rank - 1]!);
      return tril(x, -1).add(matrixDiag(x).exp().expandDims(-1).mul(eye));
    });
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const eye = tf.eye(y.shape[y.rank - 1]!);
      return tril(y, -1).add(matrixDiag(y).log().expandDims(-1).mul(eye));
    });
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => matrixDiag(x).sum(-1));
  }
}

/**
 * Symmetric positive-definite matrix -> its lower Cholesky factor. Over the
 * lower-triangular coordinates, A = L L^T has log|det dA/dL| =
 * n log 2 + sum_i (n - i) log L_ii (i from 0), so this map has minus that.
 */
export class CholeskyTransform extends Transform {
  readonly name = "cholesky";
  override readonly eventDim = 2;
  override readonly domain: Constraint = positiveDefinite;
  override readonly codomain: Constraint = lowerCholesky;

  forward(x: tf.Tensor): tf.Tensor {
    return cholesky(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return outerSelf(y);
  }
  logAbsDetJacobian(_x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = y.shape[y.rank - 1]!;
      const powers = tf.tensor1d(Array.from({ length: n }, (_, i) => n - i));
      return matrixDiag(y).log().mul(powers).sum(-1).add(n * Math.LN2).neg();
    });
  }
}

/** `base` run backwards: forward is base.inverse, with the negated log-Jacobian. */
export class InverseTransform extends Transform {
  readonly name: string;
  override readonly eventDim: number;
  override readonly bijective: boolean;
  override readonly domain: Constraint;
  override readonly codomain: Constraint;
  /** @param base the transform to invert */
  constructor(readonly base: Transform) {
    super();
    this.name = `inv(${base.name})`;
    this.eventDim = base.eventDim;
    this.bijective = base.bijective;
    this.domain = base.codomain;
    this.codomain = base.domain;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.base.inverse(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return this.base.forward(y);
  }
  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.base.logAbsDetJacobian(y, x).neg());
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  override get inv(): Transform {
    return this.base;
  }
}
