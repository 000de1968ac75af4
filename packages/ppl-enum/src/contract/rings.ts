/**
 * Semirings for the one contraction routine. Each reduces the last axis of a
 * joint factor: log-sum-exp for the ELBO (differentiable), max for MAP and
 * log-sum-exp for sampling, the last two keeping what the backward pass needs
 * to choose the eliminated variable given everything decided after it.
 */
import * as tf from "@tensorflow/tfjs";
import type { Dim } from "./factor.js";
import { jointOf, logSumExpLast, logSumProduct } from "./logsumexp.js";
import type { CombineStep } from "./plan.js";

export interface Ring {
  /** Reduce `elim` (the last axis) of the sum of `aligned`, each broadcastable to `step.jointShape`. */
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor;
  /** True for the log-sum-product ring: it may run fused chain steps (the value is the same as eliminating one by one). */
  readonly fusesChains?: boolean;
}

/** What the backward pass needs from one elimination: for each setting of the out dims, how to choose `elim`. */
export interface EliminationRecord {
  readonly outDims: readonly Dim[];
  readonly outShape: readonly number[];
  readonly elim: Dim;
  readonly elimSize: number;
  /** The plates `elim` lives in (CombineStep.elimPlates). */
  readonly elimPlates: readonly Dim[];
  /** MAP: the best value of `elim` per out-dims setting (row-major over outShape). */
  readonly backPointers?: Int32Array;
  /** Sampling: the joint log-factor, row-major over outShape ++ [elimSize]. */
  readonly logits?: Float32Array;
}

/** Sum-product in log space: the ELBO's ring. */
export const logRing: Ring = {
  combine: (aligned, step) => logSumProduct(aligned, step.jointShape),
  fusesChains: true,
};

/** Max-product with back-pointers (temperature 0: Viterbi on a chain). */
export class MapRing implements Ring {
  readonly records: EliminationRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      const bp = joint.argMax(-1);
      this.records.push({
        outDims: step.outDims, outShape: step.jointShape.slice(0, -1), elim: step.elim, elimPlates: step.elimPlates,
        elimSize: step.jointShape[step.jointShape.length - 1]!, backPointers: bp.dataSync() as Int32Array,
      });
      return joint.max(-1);
    });
  }
}

/** Sum-product that keeps each joint factor for backward sampling (temperature 1: forward filtering, backward sampling). */
export class SampleRing implements Ring {
  readonly records: EliminationRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      this.records.push({
        outDims: step.outDims, outShape: step.jointShape.slice(0, -1), elim: step.elim, elimPlates: step.elimPlates,
        elimSize: step.jointShape[step.jointShape.length - 1]!, logits: joint.dataSync() as Float32Array,
      });
      return logSumExpLast(joint);
    });
  }
}
