import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, integerInterval, nonnegativeInteger, real, unitInterval } from "../constraints/constraint.js";
import { PPLConfigError } from "../errors.js";
import { clampProbs } from "../ops/clamp-probs.js";
import { customGradient } from "../ops/custom-grad.js";
import { lgamma, lgammaNumber, xlog1py, xlogy } from "../ops/special.js";
import { broadcastShapes, broadcastTo, logSigmoid, type TensorLike } from "../ops/tensor.js";
import { nextSeed } from "../rng.js";
import { sampleBinomial } from "./numerics/discrete-samplers.js";
import { logProbOnLayout } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { asFloat, type BinaryParam, checkParam, logitsOf, paramBatchShape, probsOf, type ProbsOrLogits, probsOrLogits } from "./base/validate.js";

/**
 * P(X <= value) for X ~ Binomial(n, p), elementwise with broadcasting: the
 * pmf summed in float64 JS up to floor(value) (from the nearer end, so the
 * cost is at most n / 2 terms), 0 below 0 and 1 from n on. Differentiable in
 * p: d/dp P(X <= k) = -n p(k; n - 1, p).
 */
export function binomialCdf(value: tf.Tensor, totalCount: tf.Tensor, probs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = broadcastShapes([value.shape, totalCount.shape, probs.shape], "Binomial.cdf value and parameter shapes");
    const ks = broadcastTo(value.cast("float32"), shape).dataSync();
    const ns = broadcastTo(totalCount, shape).dataSync();
    const logPmf = (n: number, k: number, p: number): number =>
      lgammaNumber(n + 1) - lgammaNumber(k + 1) - lgammaNumber(n - k + 1) + (k === 0 ? 0 : k * Math.log(p)) + (n === k ? 0 : (n - k) * Math.log1p(-p));
    const cdfOne = (n: number, k: number, p: number): number => {
      if (k < 0) return 0;
      if (k >= n) return 1;
      let s = 0;
      if (k < n / 2) for (let j = 0; j <= k; j++) s += Math.exp(logPmf(n, j, p));
      else {
        for (let j = k + 1; j <= n; j++) s += Math.exp(logPmf(n, j, p));
        s = 1 - s;
      }
      return Math.min(1, Math.max(0, s));
    };
    const op = customGradient<[tf.Tensor]>(([pt]) => {
      const ps = pt.dataSync();
      const out = new Float32Array(ps.length);
      for (let i = 0; i < ps.length; i++) out[i] = cdfOne(ns[i]!, Math.floor(ks[i]!), ps[i]!);
      return {
        value: tf.tensor(out, pt.shape, "float32"),
        gradFunc: (dy: tf.Tensor) => {
          const g = new Float32Array(ps.length);
          for (let i = 0; i < ps.length; i++) {
            const n = ns[i]!;
            const k = Math.floor(ks[i]!);
            g[i] = k < 0 || k >= n ? 0 : -n * Math.exp(logPmf(n - 1, k, ps[i]!));
          }
          return dy.mul(tf.tensor(g, pt.shape, "float32"));
        },
      };
    });
    return op(broadcastTo(probs, shape));
  });
}

/**
 * Binomial(totalCount, probs | logits): successes in totalCount trials.
 * `enumerateSupport` needs one totalCount shared by the whole batch, as in Pyro.
 */
export class Binomial extends Distribution {
  readonly name = "Binomial";
  /** The number of trials n (a nonnegative integer), broadcastable to batchShape. */
  readonly totalCount: tf.Tensor;
  private readonly param: BinaryParam;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint;
  override readonly hasEnumerateSupport: boolean;
  /** The shared totalCount when every batch element has the same one. */
  private readonly homogeneousCount: number | undefined;

  constructor(totalCount: TensorLike, params: ProbsOrLogits | TensorLike) {
    super();
    this.totalCount = asFloat(totalCount);
    this.param = probsOrLogits(this.name, params);
    this.batchShape = paramBatchShape(this.name, { totalCount: this.totalCount.shape, [this.param.kind]: this.param.value.shape });
    checkParam(this, "totalCount", this.totalCount, nonnegativeInteger);
    checkParam(this, this.param.kind, this.param.value, this.param.kind === "probs" ? unitInterval : real);
    const counts = typeof totalCount === "number" ? [totalCount] : Array.from(this.totalCount.dataSync());
    this.homogeneousCount = counts.every((c) => c === counts[0]) ? counts[0] : undefined;
    this.hasEnumerateSupport = this.homogeneousCount !== undefined;
    this.support = integerInterval(0, this.homogeneousCount ?? this.totalCount);
  }

  /** The success probability, shape of the given parameter (computed from the logits if they were given). */
  get probs(): tf.Tensor {
    return probsOf(this.param);
  }
  /** log(p / (1 - p)), shape of the given parameter (computed from the probs if they were given). */
  get logits(): tf.Tensor {
    return logitsOf(this.param);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed("Binomial")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const n = broadcastTo(this.totalCount, shape).dataSync();
      const p = broadcastTo(this.probs, shape).dataSync();
      return tf.tensor(sampleBinomial(n, p, seed), shape, "float32");
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      const n = this.totalCount;
      const nMinusK = n.sub(k);
      const logChoose = lgamma(n.add(1)).sub(lgamma(k.add(1))).sub(lgamma(nMinusK.add(1)));
      if (this.param.kind === "probs") {
        const p = clampProbs(this.param.value); // torch's clamp_probs: finite at p = 0 or 1, gradient 0 there
        return logChoose.add(xlogy(k, p)).add(xlog1py(nMinusK, p.neg()));
      }
      const l = this.param.value;
      return logChoose.add(k.mul(logSigmoid(l))).add(nMinusK.mul(logSigmoid(l.neg())));
    });
  }

  /** Only for Binomial itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === Binomial ? [
      Binomial, this.homogeneousCount ?? this.totalCount, this.batchShape.join(","), this.param.kind, this.param.value,
    ] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient for the probs or logits. */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  override supportSize(): number {
    if (this.homogeneousCount === undefined) return super.supportSize(); // enumerateSupport's error
    return this.homogeneousCount + 1;
  }

  override enumerateSupport(expand = true): tf.Tensor {
    if (this.homogeneousCount === undefined) {
      throw new PPLConfigError(
        "Binomial.enumerateSupport: totalCount differs across the batch, so the support has no common size. " +
          "Fix: use one totalCount for the whole batch, or do not enumerate this site",
        { expected: "a homogeneous totalCount", actual: "several totalCount values" },
      );
    }
    const n = this.homogeneousCount + 1;
    return tf.tidy(() => {
      const values = tf.range(0, n, 1, "float32").reshape([n, ...this.batchShape.map(() => 1)]);
      return expand ? broadcastTo(values, [n, ...this.batchShape]) : values;
    });
  }

  /** P(X <= value), differentiable in the probs or logits. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => binomialCdf(value, this.totalCount, this.probs));
  }

  /** -Σ_k p(k) log p(k) over the support 0..n, as torch computes it; needs one totalCount for the batch (as enumerateSupport). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const lp = this.logProb(this.enumerateSupport(false));
      // 0 log 0 = 0 where a count is impossible (p = 0 or 1)
      const possible = lp.equal(-Infinity).logicalNot();
      const safe = tf.where(possible, lp, tf.zerosLike(lp));
      return broadcastTo(safe.exp().mul(safe).mul(possible.cast("float32")).sum(0).neg(), this.batchShape);
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.totalCount.mul(this.probs), this.batchShape));
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs;
      return broadcastTo(this.totalCount.mul(p).mul(tf.scalar(1).sub(p)), this.batchShape);
    });
  }
}
