import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, independent, positive, real } from "../constraints/constraint.js";
import { PPLShapeError, formatShape } from "../errors.js";
import { cholesky, invLower, matVec, matrixDiag } from "../ops/linalg.js";
import { broadcastShapes, broadcastTo, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed, noise, normalNoise } from "../rng.js";
import { type ArgSpec, Parameterized } from "./base/parameterized.js";

const LOG_2PI = Math.log(2 * Math.PI);

// typed as ArgSpec (not inferred literals): the declaration's documentation then names the interface
const LOC: ArgSpec = { constraint: real, eventDim: 1, shape: "[..., D]" };
const COV_FACTOR: ArgSpec = { constraint: real, eventDim: 2, shape: "[..., D, R]" };
const COV_DIAG: ArgSpec = { constraint: positive, eventDim: 1, shape: "[..., D]" };

/**
 * Multivariate normal over the last axis of `loc` (size D) whose covariance
 * is low rank plus diagonal, Σ = W Wᵀ + diag(d), with `covFactor` W of shape
 * [..., D, R] and `covDiag` d of shape [..., D] (Pyro's and torch's
 * `LowRankMultivariateNormal`). The density uses the Woodbury identity and the
 * matrix determinant lemma, so scoring costs O(D R²) and factors only the
 * R x R capacitance matrix C = I + Wᵀ diag(d)⁻¹ W. Reparameterised.
 *
 * @example
 * ```ts
 * // D = 3, rank 1: Σ = w wᵀ + diag(d)
 * const d = dist.LowRankMultivariateNormal(tf.zeros([3]), tf.tensor2d([[1], [0.5], [-0.2]]), tf.tensor1d([0.3, 0.2, 0.4]));
 * ```
 */
export class LowRankMultivariateNormal extends Parameterized("LowRankMultivariateNormal", {
  /** The mean, [..., D]. */
  loc: LOC,
  /** W, [..., D, R]: Σ = W Wᵀ + diag(d). */
  covFactor: COV_FACTOR,
  /** d, [..., D], positive. */
  covDiag: COV_DIAG,
}) {
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = independent(real, 1);
  override readonly hasRsample = true;

  /**
   * @param loc the mean, [..., D], real.
   * @param covFactor W, [..., D, R], real.
   * @param covDiag d, [..., D], positive.
   */
  constructor(loc: TensorLike, covFactor: TensorLike, covDiag: TensorLike) {
    super({ loc, covFactor, covDiag });
    const D = this.loc.shape[this.loc.rank - 1]!;
    const W = this.covFactor;
    if (W.shape[W.rank - 2] !== D) {
      throw new PPLShapeError(
        `${this.name}: parameter 'covFactor' must have shape [..., ${D}, R] to match loc ${formatShape(this.loc.shape)}, got ${formatShape(W.shape)}`,
        { expected: `[..., ${D}, R]`, actual: formatShape(W.shape) },
      );
    }
    if (this.covDiag.shape[this.covDiag.rank - 1] !== D) {
      throw new PPLShapeError(
        `${this.name}: parameter 'covDiag' must have shape [..., ${D}] to match loc ${formatShape(this.loc.shape)}, got ${formatShape(this.covDiag.shape)}`,
        { expected: `[..., ${D}]`, actual: formatShape(this.covDiag.shape) },
      );
    }
  }

  /** The rank R of the factor. */
  get rank(): number {
    return this.covFactor.shape[this.covFactor.rank - 1]!;
  }

  /** W Wᵀ + diag(d), [...batchShape, D, D]. */
  get covarianceMatrix(): tf.Tensor {
    return tf.tidy(() => {
      const W = this.covFactor;
      const wwt = W.expandDims(-2).mul(W.expandDims(-3)).sum(-1);
      return wwt.add(this.covDiag.expandDims(-1).mul(tf.eye(this.eventShape[0]!)));
    });
  }

  /** loc + W ε_R + sqrt(d) ε_D with independent standard normals: differentiable in every parameter. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("LowRankMultivariateNormal")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const epsR = normalNoise([...shape.slice(0, -1), this.rank], seed);
      // the second noise from the same seed, hashed apart (a compiled loss makes both again from the stream's seed)
      const epsD = noise(seed, (s) => tf.randomNormal(shape, 0, 1, "float32", hashSeed(s, "diag")));
      return matVec(this.covFactor, epsR).add(this.covDiag.sqrt().mul(epsD)).add(this.loc);
    });
  }

  /** The capacitance's lower Cholesky factor L_C, with C = I + Wᵀ diag(d)⁻¹ W = L_C L_Cᵀ, [..., R, R]. */
  private capacitanceTril(): tf.Tensor {
    const W = this.covFactor;
    const wOverD = W.div(this.covDiag.expandDims(-1));
    const c = wOverD.expandDims(-1).mul(W.expandDims(-2)).sum(-3).add(tf.eye(this.rank));
    return cholesky(c);
  }

  logProb(value: tf.Tensor): tf.Tensor {
    const batch = broadcastShapes([value.shape.slice(0, -1), this.batchShape], `${this.name} value and batch shapes`);
    return tf.tidy(() => {
      const D = this.eventShape[0]!;
      const x = value.sub(this.loc);
      const d = this.covDiag;
      const lc = this.capacitanceTril();
      // Woodbury: xᵀ Σ⁻¹ x = xᵀ D⁻¹ x - |L_C⁻¹ Wᵀ D⁻¹ x|²
      const u = this.covFactor.mul(x.div(d).expandDims(-1)).sum(-2);
      const z = matVec(invLower(lc), u);
      const maha = x.square().div(d).sum(-1).sub(z.square().sum(-1));
      // determinant lemma: log det Σ = log det C + Σ log d
      const logDet = matrixDiag(lc).log().sum(-1).mul(2).add(d.log().sum(-1));
      return maha.add(logDet).add(D * LOG_2PI).mul(-0.5);
    });
  }

  /** ½ D (1 + log 2π) + ½ log det Σ, shape batchShape. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const D = this.eventShape[0]!;
      const logDet = matrixDiag(this.capacitanceTril()).log().sum(-1).mul(2).add(this.covDiag.log().sum(-1));
      return broadcastTo(logDet.add(D * (1 + LOG_2PI)).mul(0.5), this.batchShape);
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.shape());
  }
  /** The diagonal of the covariance: Σ_r W² + d. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.covFactor.square().sum(-1).add(this.covDiag), this.shape()));
  }
}
