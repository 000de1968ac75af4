import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, nonnegativeInteger, positive, real, unitInterval } from "../constraints/constraint.js";
import { PPLConfigError } from "../errors.js";
import { clampProbs } from "../ops/clamp-probs.js";
import { lgamma, xlogy } from "../ops/special.js";
import { broadcastTo, logSigmoid, type TensorLike } from "../ops/tensor.js";
import { hashSeed, nextSeed, uniformNoise } from "../rng.js";
import { samplePoisson } from "./numerics/discrete-samplers.js";
import { logProbOnLayout, paramKey } from "./base/batched-layout.js";
import { Distribution } from "./base/distribution.js";
import { poissonCdf } from "./poisson.js";
import { asFloat, checkParam, paramBatchShape } from "./base/validate.js";

/** The gate of a zero-inflated distribution: exactly one of `gate` (a probability) or `gateLogits`. */
export type ZeroInflatedGate =
  | {
      /** The probability of a structural zero, in [0, 1]. */
      gate: TensorLike;
      /** Not with gate. */
      gateLogits?: never;
    }
  | {
      /** log(gate / (1 - gate)), real. */
      gateLogits: TensorLike;
      /** Not with gateLogits. */
      gate?: never;
    };

/** log(e^a + e^b), stable, finite gradients when one side is -inf. */
function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => a.maximum(b).add(a.sub(b).abs().neg().exp().log1p()));
}

/**
 * ZeroInflatedPoisson(rate, { gate } | { gateLogits }) over {0, 1, 2, ...}:
 * with probability `gate` a structural zero, otherwise a Poisson(rate) count
 * (Pyro's `ZeroInflatedPoisson(rate, gate=..., gate_logits=...)`).
 * p(0) = g + (1 - g) e^(-λ), p(k) = (1 - g) λ^k e^(-λ) / k! for k > 0;
 * the mass at zero is summed in log space.
 *
 * @example
 * ```ts
 * const d = dist.ZeroInflatedPoisson(3.5, { gate: 0.3 });
 * const e = dist.ZeroInflatedPoisson(tf.tensor1d([1, 2]), { gateLogits: tf.tensor1d([-1, 0.5]) });
 * ```
 */
export class ZeroInflatedPoisson extends Distribution {
  readonly name = "ZeroInflatedPoisson";
  /** The Poisson rate λ > 0. */
  readonly rate: tf.Tensor;
  private readonly gateParam: { kind: "gate" | "gateLogits"; value: tf.Tensor };
  private readonly key: readonly unknown[];
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** `[]`: one draw is a scalar. */
  readonly eventShape: readonly number[] = [];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = nonnegativeInteger;

  /**
   * @param rate λ > 0, shape broadcastable with the gate's.
   * @param gate `{ gate }` in [0, 1] or `{ gateLogits }` (real): the probability of a structural zero.
   */
  constructor(rate: TensorLike, gate: ZeroInflatedGate) {
    super();
    this.rate = asFloat(rate);
    const g = gate as Partial<Record<"gate" | "gateLogits", TensorLike>> | undefined;
    if (g === undefined || (g.gate === undefined) === (g.gateLogits === undefined)) {
      throw new PPLConfigError(`${this.name}: give exactly one of 'gate' or 'gateLogits' in the second argument`, {
        expected: "{ gate } or { gateLogits }",
        actual: g === undefined ? "no second argument" : g.gate === undefined ? "neither" : "both",
      });
    }
    this.gateParam = g.gate !== undefined ? { kind: "gate", value: asFloat(g.gate) } : { kind: "gateLogits", value: asFloat(g.gateLogits!) };
    this.key = [paramKey(rate, this.rate), this.gateParam.kind, paramKey(g.gate ?? g.gateLogits, this.gateParam.value)];
    this.batchShape = paramBatchShape(this.name, { rate: this.rate.shape, [this.gateParam.kind]: this.gateParam.value.shape });
    checkParam(this, "rate", this.rate, positive);
    checkParam(this, this.gateParam.kind, this.gateParam.value, this.gateParam.kind === "gate" ? unitInterval : real);
  }

  /** The probability of a structural zero. */
  get gate(): tf.Tensor {
    return this.gateParam.kind === "gate" ? this.gateParam.value : tf.sigmoid(this.gateParam.value);
  }
  /** log(gate / (1 - gate)). */
  get gateLogits(): tf.Tensor {
    const g = this.gateParam.value;
    return this.gateParam.kind === "gateLogits" ? g : tf.tidy(() => g.log().sub(g.neg().log1p()));
  }

  /** log g and log(1 - g) in the given parameterisation; a gate given as a probability is clamped as torch's clamp_probs (finite at 0 and 1). */
  private logGateKeep(): [tf.Tensor, tf.Tensor] {
    const g = this.gateParam.value;
    if (this.gateParam.kind === "gateLogits") return [logSigmoid(g), logSigmoid(g.neg())];
    const c = clampProbs(g);
    return [c.log(), c.neg().log1p()];
  }

  /** A Bernoulli(1 - gate) keep mask times a Poisson(rate) count, from two seeded streams. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("ZeroInflatedPoisson")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const keep = uniformNoise(shape, 0, 1, seed).greaterEqual(this.gate);
      const counts = tf.tensor(samplePoisson(broadcastTo(this.rate, shape).dataSync(), hashSeed(seed, "counts")), shape, "float32");
      return tf.where(keep, counts, tf.zerosLike(counts));
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = value.cast("float32");
      const [logGate, logKeep] = this.logGateKeep();
      const lam = this.rate;
      const nonzero = logKeep.add(xlogy(k, lam)).sub(lam).sub(lgamma(k.add(1)));
      const zero = logAddExp(logGate, logKeep.sub(lam));
      const shape = nonzero.shape;
      return tf.where(broadcastTo(k.equal(0), shape), broadcastTo(zero, shape), nonzero);
    });
  }

  /** Only for ZeroInflatedPoisson itself: a subclass that changes logProb must not be scored by this formula. */
  override batchKey(): readonly unknown[] | undefined {
    return this.constructor === ZeroInflatedPoisson ? [ZeroInflatedPoisson, ...this.key] : undefined;
  }

  /** All rows in one pass of the tensor expression: one gradient per parameter (a count emission of a markov chain). */
  override logProbBatched(values: tf.Tensor, batchShape: readonly number[] = this.batchShape): tf.Tensor {
    return logProbOnLayout(this.name, values, [batchShape, this.batchShape], (v) => this.logProb(v));
  }

  /** P(X <= value) = g + (1 - g) P_Poisson(X <= value) on the support, 0 below it; differentiable in rate and gate. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const g = this.gate;
      const c = g.add(tf.scalar(1).sub(g).mul(poissonCdf(value, this.rate)));
      return tf.where(broadcastTo(value.less(0), c.shape), tf.zerosLike(c), c);
    });
  }

  /** The mean, shape batchShape ++ eventShape. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(tf.scalar(1).sub(this.gate).mul(this.rate), this.batchShape));
  }
  /** The variance (elementwise over the event), shape batchShape ++ eventShape. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const g = this.gate;
      const keepRate = tf.scalar(1).sub(g).mul(this.rate);
      return broadcastTo(keepRate.mul(g.mul(this.rate).add(1)), this.batchShape);
    });
  }
}
