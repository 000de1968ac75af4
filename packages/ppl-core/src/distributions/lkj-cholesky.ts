import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, positive } from "../constraints/constraint.js";
import { corrCholesky } from "../constraints/corr-cholesky.js";
import { PPLConfigError } from "../errors.js";
import { matrixDiag } from "../ops/linalg.js";
import { lgamma } from "../ops/special.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { hashSeed, makeRng, nextSeed, normalFrom } from "../rng.js";
import { sampleStandardGamma } from "./numerics/gamma-sampler.js";
import { Parameterized } from "./base/parameterized.js";

/** float32's smallest normal number: a diagonal entry is at least its square root. */
const TINY = 1.1754944e-38;

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
