import * as tf from "@tensorflow/tfjs-core";
import { Constraint, nonnegativeInteger, positive, real } from "../constraints/constraint.js";
import { clampProbs } from "../ops/clamp-probs.js";
import { lgamma, xlog1py, xlogy } from "../ops/special.js";
import { broadcastTo, logSigmoid, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed } from "../rng.js";
import { logProbOnLayout, paramKey } from "./base/batched-layout.js";
import { samplePoisson } from "./numerics/discrete-samplers.js";
import { Distribution } from "./base/distribution.js";
import { sampleStandardGamma } from "./numerics/gamma-sampler.js";
import { asFloat, type BinaryParam, checkParam, logitsOf, paramBatchShape, probsOf, type ProbsOrLogits, probsOrLogits } from "./base/validate.js";

/** 0 <= p < 1: at p = 1 the negative binomial has no finite mass. */
class HalfOpenUnitInterval extends Constraint {
  readonly name = "halfOpenInterval(0, 1)";
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalAnd(v.greaterEqual(0), v.less(1)));
  }
}
const halfOpenUnitInterval = new HalfOpenUnitInterval();

/**
 * Poisson(G) draws with G ~ Gamma(concentration) * scale, elementwise, in
 * float64 JS: the negative binomial as a gamma mixture of Poissons.
 */
export function sampleGammaPoissonMixture(concentration: ArrayLike<number>, scale: ArrayLike<number>, seed: number): Float32Array {
  const g = sampleStandardGamma(concentration, seed);
  const rates = Float64Array.from(g, (x, i) => x * scale[i]!);
  return samplePoisson(rates, hashSeed(seed, "poisson"));
}

/**
 * NegativeBinomial(totalCount, probs | logits) over {0, 1, 2, ...}: the
 * number of successes before `totalCount` failures when each trial succeeds
 * with probability `probs` (torch's and Pyro's convention; totalCount may be
 * any positive real). p(k) = Γ(k + r) / (Γ(r) k!) (1 - p)^r p^k, mean r p / (1 - p).
 *
 * @example
 * ```ts
 * const d = dist.NegativeBinomial(5, 0.3);                 // totalCount 5, probs 0.3
 * const e = dist.NegativeBinomial(tf.tensor1d([2, 4]), { logits: tf.tensor1d([0, -1]) });
 * ```
 */
export class NegativeBinomial extends Distribution {
  readonly name = "NegativeBinomial";
  /** The number of failures r (positive, real), broadcastable to batchShape. */
  readonly totalCount: tf.Tensor;
  private readonly param: BinaryParam;
  private readonly countKey: unknown;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = nonnegativeInteger;

  /**
   * @param totalCount r > 0, any shape that broadcasts with the probabilities'.
   * @param params `{ probs }` in [0, 1), `{ logits }` (real), or a bare probs tensor.
   */
  constructor(totalCount: TensorLike, params: ProbsOrLogits | TensorLike) {
    super();
    this.totalCount = asFloat(totalCount);
    this.countKey = paramKey(totalCount, this.totalCount);
    this.param = probsOrLogits(this.name, params);
    this.batchShape = paramBatchShape(this.name, { totalCount: this.totalCount.shape, [this.param.kind]: this.param.value.shape });
    checkParam(this, "totalCount", this.totalCount, positive);
    checkParam(this, this.param.kind, this.param.value, this.param.kind === "probs" ? halfOpenUnitInterval : real);
  }

  /** Success probability of each trial. */
  get probs(): tf.Tensor {
    return probsOf(this.param);
  }
  /** log(p / (1 - p)). */
  get logits(): tf.Tensor {
    return logitsOf(this.param);
  }

  /** A Gamma(r, scale p / (1 - p)) rate, then a Poisson count: seeded, in float64 JS. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("NegativeBinomial")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const r = broadcastTo(this.totalCount, shape).dataSync();
      const odds = broadcastTo(this.logits.exp(), shape).dataSync();
      return tf.tensor(sampleGammaPoissonMixture(r, odds, seed), shape, "float32");
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      const r = this.totalCount;
      const logCoef = lgamma(k.add(r)).sub(lgamma(r)).sub(lgamma(k.add(1)));
      const v = this.param.value;
      if (this.param.kind === "probs") {
        const p = clampProbs(v); // torch's clamp_probs: finite at p = 0, gradient 0 there
        return logCoef.add(xlog1py(r, p.neg())).add(xlogy(k, p));
      }
      return logCoef.add(r.mul(logSigmoid(v.neg()))).add(k.mul(logSigmoid(v)));
    });
  }

  /** Only for NegativeBinomial itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === NegativeBinomial ? [NegativeBinomial, this.countKey, this.param.kind, this.param.value] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient per parameter. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.totalCount.mul(this.logits.exp()), this.batchShape));
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      return broadcastTo(this.totalCount.mul(p).div(tf.scalar(1).sub(p).square()), this.batchShape);
    });
  }
}
