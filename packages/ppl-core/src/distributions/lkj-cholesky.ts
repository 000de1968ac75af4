import * as tf from "@tensorflow/tfjs";
import { Constraint, independent, positive, real } from "../constraints/constraint.js";
import { Transform } from "../constraints/transforms.js";
import { PPLConfigError } from "../errors.js";
import { matrixDiag } from "../ops/linalg.js";
import { lgamma } from "../ops/special.js";
import { broadcastTo, cumsumLast, type TensorLike } from "../ops/tensor.js";
import { hashSeed, makeRng, nextSeed, normalFrom } from "../rng.js";
import { sampleStandardGamma } from "./gamma-sampler.js";
import { Parameterized } from "./parameterized.js";

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
        const left = tf.scalar(1).sub(cumsumLast(row.square(), true)).maximum(1.1754944e-38);
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

/** log Γ_p(a) = p (p - 1) / 4 log π + Σ_{j=1}^{p} log Γ(a + (1 - j) / 2), the multivariate log-gamma. */
function mvlgamma(a: tf.Tensor, p: number): tf.Tensor {
  return tf.tidy(() => {
    let s = tf.scalar((p * (p - 1) * Math.log(Math.PI)) / 4);
    for (let j = 1; j <= p; j++) s = s.add(lgamma(a.add((1 - j) / 2)));
    return s;
  });
}

/**
 * LKJCholesky(dim, concentration): the lower Cholesky factor L of a dim x dim
 * correlation matrix M = L Lᵀ whose density is proportional to det(M)^(η - 1)
 * (η = `concentration`; η = 1 is uniform over correlation matrices, larger η
 * concentrates near the identity), as Pyro's and torch's `LKJCholesky`. The
 * log-density is over L's strictly-lower entries: Σ_{i=2}^{D} (2(η - 1) + D - i) log L_ii
 * minus the LKJ normaliser. Sampling uses the onion method (Lewandowski,
 * Kurowicka and Joe 2009, §3.2) in float64 JS; it is not reparameterised.
 *
 * @example
 * ```ts
 * const L = yield* sample("L", dist.LKJCholesky(3, 2));            // [3, 3]
 * const cov = L.mul(sigma.expandDims(-1));                           // scale rows: a covariance factor
 * yield* sample("y", dist.MultivariateNormal(mu, { scaleTril: cov }), { obs });
 * ```
 */
export class LKJCholesky extends Parameterized("LKJCholesky", {
  /** η > 0, shape batchShape: η = 1 is uniform over correlation matrices, larger η concentrates near the identity. */
  concentration: positive,
}) {
  /** The matrix size D >= 2. */
  readonly dim: number;
  /** The shape of one draw. */
  override readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = corrCholesky;

  /**
   * @param dim the matrix size, an integer >= 2.
   * @param concentration η > 0 (default 1), any shape: the batch shape.
   */
  constructor(dim: number, concentration: TensorLike = 1) {
    if (!Number.isInteger(dim) || dim < 2) {
      throw new PPLConfigError(`LKJCholesky: 'dim' must be an integer >= 2, got ${String(dim)}`, {
        expected: "an integer >= 2",
        actual: String(dim),
      });
    }
    super({ concentration });
    this.dim = dim;
    this.eventShape = [dim, dim];
  }

  /**
   * The onion method: row k (k = 1..D-1) is sqrt(y_k) u_k on its first k
   * entries, u_k uniform on the unit sphere, y_k ~ Beta(k / 2, η + (D - 1 - k) / 2),
   * and sqrt(1 - y_k) on the diagonal; row 0 is e_0.
   */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("LKJCholesky")): tf.Tensor {
    return tf.tidy(() => {
      const D = this.dim;
      const shape = this.shape(sampleShape);
      const etas = broadcastTo(this.concentration, shape.slice(0, -2)).dataSync();
      const count = etas.length;
      const a = new Float64Array(count * (D - 1));
      const b = new Float64Array(count * (D - 1));
      for (let m = 0; m < count; m++) {
        for (let k = 1; k < D; k++) {
          a[m * (D - 1) + k - 1] = k / 2;
          b[m * (D - 1) + k - 1] = etas[m]! + (D - 1 - k) / 2;
        }
      }
      const ga = sampleStandardGamma(a, hashSeed(seed, "beta-a"));
      const gb = sampleStandardGamma(b, hashSeed(seed, "beta-b"));
      const rng = makeRng(hashSeed(seed, "sphere"));
      const out = new Float32Array(count * D * D);
      const u = new Float64Array(D);
      for (let m = 0; m < count; m++) {
        const o = m * D * D;
        out[o] = 1;
        for (let k = 1; k < D; k++) {
          const i = m * (D - 1) + k - 1;
          const y = ga[i]! / (ga[i]! + gb[i]!);
          let norm = 0;
          for (let j = 0; j < k; j++) {
            u[j] = normalFrom(rng);
            norm += u[j]! * u[j]!;
          }
          const s = Math.sqrt(y / norm);
          let sq = 0;
          for (let j = 0; j < k; j++) {
            const w = u[j]! * s;
            out[o + k * D + j] = w;
            sq += w * w;
          }
          out[o + k * D + k] = Math.sqrt(Math.max(1 - sq, TINY));
        }
      }
      return tf.tensor(out, shape, "float32");
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const D = this.dim;
      const eta = this.concentration;
      const diag = matrixDiag(value.cast("float32")).slice([...new Array<number>(value.rank - 2).fill(0), 1]);
      // exponent of L_ii for i = 2..D (1-based): 2(η - 1) + D - i
      const order = eta.sub(1).mul(2).expandDims(-1).add(tf.tensor1d(Array.from({ length: D - 1 }, (_, i) => D - (i + 2))));
      const unnormalised = order.mul(diag.log()).sum(-1);
      const dm1 = D - 1;
      const alpha = eta.add(0.5 * dm1);
      const normaliser = mvlgamma(alpha.sub(0.5), dm1).sub(lgamma(alpha).mul(dm1)).add(0.5 * dm1 * Math.log(Math.PI));
      return unnormalised.sub(normaliser);
    });
  }
}
