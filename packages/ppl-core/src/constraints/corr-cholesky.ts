/**
 * The Cholesky factors of correlation matrices: the constraint (LKJCholesky's
 * support) and the bijection onto it from unconstrained vectors, so that
 * `bijectTo` can give an autoguide an unconstrained space for such a site.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError } from "../errors.js";
import { matrixDiag } from "../ops/linalg.js";
import { cumsumLast } from "../ops/tensor.js";
import { Constraint, independent, real } from "./constraint.js";
import { Transform } from "./transforms.js";

/** float32's smallest normal number: a diagonal entry is at least its square root. */
const TINY = 1.1754944e-38;

/** Lower-triangular matrices with a positive diagonal whose rows have unit norm: Cholesky factors of correlation matrices. */
export class CorrCholesky extends Constraint {
  readonly name = "corrCholesky";
  override readonly eventDim = 2;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = v.shape[v.rank - 1]!;
      const upper = tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i ? 1 : 0))));
      const lowerOnly = v.mul(upper).equal(0).all([-2, -1]);
      const diagPositive = matrixDiag(v).greater(0).all(-1);
      const unitRows = v.square().sum(-1).sub(1).abs().lessEqual(1e-4).all(-1);
      return tf.logicalAnd(tf.logicalAnd(lowerOnly, diagPositive), unitRows);
    });
  }
}
/** The support of {@link LKJCholesky}: Cholesky factors of correlation matrices (event dims 2). */
export const corrCholesky: Constraint = new CorrCholesky();

/** D with D (D - 1) / 2 = m, or undefined when m is not triangular. */
function sizeFromPairs(m: number): number | undefined {
  const D = Math.round((1 + Math.sqrt(1 + 8 * m)) / 2);
  return (D * (D - 1)) / 2 === m ? D : undefined;
}

/**
 * log(1 - tanh(x)²) = 2 (log 2 - x - softplus(-2x)), stable for large |x|.
 */
function logOneMinusTanhSq(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.scalar(Math.LN2).sub(x).sub(tf.softplus(x.mul(-2))).mul(2));
}

/**
 * Unconstrained vectors [..., D(D-1)/2] -> Cholesky factors of D x D
 * correlation matrices [..., D, D] (Pyro's and torch's `CorrCholeskyTransform`,
 * Stan's "Cholesky factors of correlation matrices"): tanh maps each
 * coordinate to a partial correlation z in (-1, 1), filled row by row into the
 * strict lower triangle, and each row is stick-broken onto the unit sphere,
 * L_ij = z_ij sqrt(1 - Σ_{k<j} L_ik²), L_ii = sqrt(1 - Σ_{k<i} L_ik²). The
 * Jacobian is over the strict lower triangle of L. What an autoguide needs to
 * learn an LKJCholesky site (`bijectTo(corrCholesky)`).
 */
export class CorrCholeskyTransform extends Transform {
  readonly name = "corrCholesky";
  override readonly eventDim = 1;
  override readonly domain: Constraint = independent(real, 1);
  override readonly codomain: Constraint = corrCholesky;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const m = x.shape[x.rank - 1]!;
      const D = this.size(m);
      const z = tf.tanh(x);
      const logRest = logOneMinusTanhSq(x);
      const lead = x.shape.slice(0, -1);
      const begin = (o: number) => [...lead.map(() => 0), o];
      const size = (n: number) => [...lead, n];
      const rows: tf.Tensor[] = [tf.concat([tf.ones(size(1)), tf.zeros(size(D - 1))], -1)];
      for (let i = 1; i < D; i++) {
        const o = (i * (i - 1)) / 2;
        const zi = z.slice(begin(o), size(i));
        // sqrt of the stick left before entry j: exp(½ Σ_{k<j} log(1 - z_k²)), then what is left for the diagonal
        const logLeft = cumsumLast(logRest.slice(begin(o), size(i)), true);
        const off = zi.mul(logLeft.mul(0.5).exp());
        const diag = logRest.slice(begin(o), size(i)).sum(-1, true).mul(0.5).exp();
        rows.push(tf.concat(D - 1 - i > 0 ? [off, diag, tf.zeros(size(D - 1 - i))] : [off, diag], -1));
      }
      return tf.stack(rows, -2);
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const D = y.shape[y.rank - 1]!;
      const lead = y.shape.slice(0, -2);
      const parts: tf.Tensor[] = [];
      for (let i = 1; i < D; i++) {
        const row = y.slice([...lead.map(() => 0), i, 0], [...lead, 1, i]).squeeze([lead.length]);
        const left = tf.scalar(1).sub(cumsumLast(row.square(), true)).maximum(TINY);
        const z = row.div(left.sqrt()).clipByValue(-1 + 1e-7, 1 - 1e-7);
        parts.push(tf.atanh(z));
      }
      return tf.concat(parts, -1);
    });
  }

  /** ½ Σ log(stick left before each off-diagonal entry after the first of its row) + Σ log(1 - tanh(x)²). */
  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const D = y.shape[y.rank - 1]!;
      const lead = y.shape.slice(0, -2);
      let stick: tf.Tensor = tf.zeros(lead);
      for (let i = 2; i < D; i++) {
        const row = y.slice([...lead.map(() => 0), i, 0], [...lead, 1, i - 1]).squeeze([lead.length]);
        const left = tf.scalar(1).sub(cumsumLast(row.square())); // after entries 0..j-1, for j = 1..i-1
        stick = stick.add(left.log().sum(-1).mul(0.5));
      }
      return stick.add(logOneMinusTanhSq(x).sum(-1));
    });
  }

  override forwardShape(shape: readonly number[]): number[] {
    const D = this.size(shape[shape.length - 1]!);
    return [...shape.slice(0, -1), D, D];
  }
  override inverseShape(shape: readonly number[]): number[] {
    const D = shape[shape.length - 1]!;
    return [...shape.slice(0, -2), (D * (D - 1)) / 2];
  }

  private size(m: number): number {
    const D = sizeFromPairs(m);
    if (D === undefined || D < 2) {
      throw new PPLConfigError(`CorrCholeskyTransform: the last dim (${m}) must be D (D - 1) / 2 for some D >= 2 (1, 3, 6, 10, ...)`, {
        expected: "a triangular number of coordinates",
        actual: String(m),
      });
    }
    return D;
  }
}
