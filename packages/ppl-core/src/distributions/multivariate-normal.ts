import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, independent, lowerCholesky, positiveDefinite, real } from "../constraints/constraint.js";
import { PPLConfigError, PPLShapeError, formatShape } from "../errors.js";
import { cholesky, invLower, matVec, matrixDiag, outerSelf } from "../ops/linalg.js";
import { broadcastShapes, broadcastTo, type TensorLike } from "../ops/tensor.js";
import { nextSeed, normalNoise } from "../rng.js";
import { Distribution } from "./base/distribution.js";
import { asFloat, checkMinRank, checkParam } from "./base/validate.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The covariance of a MultivariateNormal: exactly one of its lower Cholesky factor or the matrix itself. */
export type MultivariateNormalParams =
  | {
      /** Lower-triangular factor L of the covariance L L^T, shape [..., D, D], positive diagonal. */
      scaleTril: TensorLike;
      /** Not with scaleTril. */
      covarianceMatrix?: never;
    }
  | {
      /** Symmetric positive-definite covariance, shape [..., D, D] (factored here, differentiably). */
      covarianceMatrix: TensorLike;
      /** Not with covarianceMatrix. */
      scaleTril?: never;
    };

/**
 * Multivariate normal over the last axis of `loc`, with the covariance given
 * by its lower Cholesky factor `scaleTril` or as `covarianceMatrix` (factored
 * here, differentiably). Event matrices are small, so the factor and its
 * inverse are computed per matrix in float64 JS (ops/linalg.ts).
 */
export class MultivariateNormal extends Distribution {
  readonly name = "MultivariateNormal";
  /** The mean, shape [..., D]. */
  readonly loc: tf.Tensor;
  /** The covariance's lower Cholesky factor, shape [..., D, D]. */
  readonly scaleTril: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint = independent(real, 1);
  override readonly hasRsample = true;

  /**
   * A bare tensor as the second argument is the covariance matrix, as Pyro's positional argument is.
   * @param loc the mean, shape [..., D]
   * @param params `{ scaleTril }`, `{ covarianceMatrix }` or the covariance matrix itself
   */
  constructor(loc: TensorLike, params: MultivariateNormalParams | TensorLike) {
    super();
    this.loc = asFloat(loc);
    checkMinRank(this.name, "loc", this.loc, 1, "[..., D]");
    checkParam(this, "loc", this.loc, real);
    const p: Partial<Record<"scaleTril" | "covarianceMatrix", TensorLike>> =
      params instanceof tf.Tensor || typeof params === "number" || Array.isArray(params) ? { covarianceMatrix: params } : params;
    if ((p.scaleTril === undefined) === (p.covarianceMatrix === undefined)) {
      throw new PPLConfigError(`${this.name}: give exactly one of 'scaleTril' or 'covarianceMatrix'`, {
        expected: "{ scaleTril } or { covarianceMatrix }",
        actual: p.scaleTril === undefined ? "neither" : "both",
      });
    }
    const which = p.scaleTril !== undefined ? "scaleTril" : "covarianceMatrix";
    const m = asFloat(p[which]!);
    const D = this.loc.shape[this.loc.rank - 1]!;
    if (m.rank < 2 || m.shape[m.rank - 1] !== D || m.shape[m.rank - 2] !== D) {
      throw new PPLShapeError(
        `${this.name}: parameter '${which}' must have shape [..., ${D}, ${D}] to match loc ${formatShape(this.loc.shape)}, ` +
          `got ${formatShape(m.shape)}`,
        { expected: `[..., ${D}, ${D}]`, actual: formatShape(m.shape) },
      );
    }
    if (which === "scaleTril") {
      checkParam(this, "scaleTril", m, lowerCholesky);
      this.scaleTril = m;
    } else {
      checkParam(this, "covarianceMatrix", m, positiveDefinite);
      this.scaleTril = cholesky(m);
    }
    this.batchShape = broadcastShapes([this.loc.shape.slice(0, -1), m.shape.slice(0, -2)], `${this.name} parameter batch shapes`);
    this.eventShape = [D];
  }

  /** scaleTril scaleTril^T, shape [..., D, D]. */
  get covarianceMatrix(): tf.Tensor {
    return outerSelf(this.scaleTril);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("MultivariateNormal")): tf.Tensor {
    return tf.tidy(() => {
      const eps = normalNoise(this.shape(sampleShape), seed);
      return matVec(this.scaleTril, eps).add(this.loc);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    const batch = broadcastShapes([value.shape.slice(0, -1), this.batchShape], `${this.name} value and batch shapes`);
    return tf.tidy(() => {
      const D = this.eventShape[0]!;
      const z = matVec(invLower(this.scaleTril), value.sub(this.loc));
      const halfLogDet = matrixDiag(this.scaleTril).log().sum(-1);
      return z.square().sum(-1).mul(-0.5).sub(halfLogDet).sub(D * HALF_LOG_2PI);
    });
  }

  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.shape());
  }
  /** D/2 (1 + log 2 pi) + sum_i log L_ii, L = scaleTril; shape batchShape. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const D = this.eventShape[0]!;
      return broadcastTo(matrixDiag(this.scaleTril).log().sum(-1).add(D * (0.5 + HALF_LOG_2PI)), this.batchShape);
    });
  }
  /** The diagonal of the covariance. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.scaleTril.square().sum(-1), this.shape()));
  }
}
