/**
 * Semirings for the one contraction routine. Each reduces the last axis of a
 * joint factor (`combine`) and eliminates a whole first-order chain in one
 * pass of ppl-core's chain kernel (`chain`): log-sum-exp and forward–backward
 * for the ELBO (differentiable), max and Viterbi for MAP, log-sum-exp and a
 * forward filter for sampling; the last two keep what the backward pass
 * needs to choose the eliminated variables given everything decided after them.
 */
import * as tf from "@tensorflow/tfjs";
import { type ChainSweep, chainForward, chainLayout, chainLogSumExp, chainViterbi } from "ppl-core/internal";
import type { ChainStep } from "./chain-plan.js";
import type { Dim } from "./factor.js";
import { jointOf, logSumExpLast, logSumProduct } from "./logsumexp.js";
import type { CombineStep } from "./plan.js";

export interface Ring {
  /** Reduce `elim` (the last axis) of the sum of `aligned`, each broadcastable to `step.jointShape`. */
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor;
  /**
   * Eliminate every variable of a chain: unary [Bu, n, K], pair [Bp, Tp, K, K]
   * (the chain kernel's layout, B = Π step.plateShape); the result is over the chain's plates.
   */
  chain(unary: tf.Tensor, pair: tf.Tensor, step: ChainStep): tf.Tensor;
}

/** What the backward pass needs from one elimination: for each setting of the out dims, how to choose `elim`. */
export interface EliminationRecord {
  readonly kind: "eliminate";
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

/**
 * What the backward pass needs from one chain step. The chain's result has
 * plate dims only, so its variables depend on nothing decided later: MAP has
 * its paths already, sampling draws them from the forward filter.
 */
export interface ChainRecord {
  readonly kind: "chain";
  /** The variables in path order. */
  readonly vars: readonly Dim[];
  /** The kernel's batch: the chain's plates (row-major), and the plates the variables live in (a superset). */
  readonly plates: readonly Dim[];
  readonly elimPlates: readonly Dim[];
  /** MAP: the Viterbi paths, [B, n]. */
  readonly paths?: Int32Array;
  /** Sampling: the forward filter. */
  readonly sweep?: ChainSweep;
}

export type PlanRecord = EliminationRecord | ChainRecord;

const toPlates = (x: tf.Tensor, step: ChainStep) => x.reshape([...step.plateShape]);

/** Sum-product in log space: the ELBO's ring. */
export const logRing: Ring = {
  combine: (aligned, step) => logSumProduct(aligned, step.jointShape),
  chain: (unary, pair, step) => toPlates(chainLogSumExp(unary, pair), step),
};

function eliminationRecord(step: CombineStep): Omit<EliminationRecord, "backPointers" | "logits"> {
  return {
    kind: "eliminate", outDims: step.outDims, outShape: step.jointShape.slice(0, -1), elim: step.elim, elimPlates: step.elimPlates,
    elimSize: step.jointShape[step.jointShape.length - 1]!,
  };
}

function chainRecord(step: ChainStep): Omit<ChainRecord, "paths" | "sweep"> {
  return { kind: "chain", vars: step.vars, plates: step.plates, elimPlates: step.elimPlates };
}

/** Max-product with back-pointers (temperature 0: Viterbi on a chain). */
export class MapRing implements Ring {
  readonly records: PlanRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      const bp = joint.argMax(-1);
      this.records.push({ ...eliminationRecord(step), backPointers: bp.dataSync() as Int32Array });
      return joint.max(-1);
    });
  }

  chain(unary: tf.Tensor, pair: tf.Tensor, step: ChainStep): tf.Tensor {
    const v = chainViterbi(chainLayout(unary.shape, pair.shape, "MapRing.chain"), unary.dataSync(), pair.dataSync());
    this.records.push({ ...chainRecord(step), paths: v.paths });
    return tf.tensor(Float32Array.from(v.scores), [...step.plateShape]);
  }
}

/** Sum-product that keeps each joint factor for backward sampling (temperature 1: forward filtering, backward sampling). */
export class SampleRing implements Ring {
  readonly records: PlanRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      this.records.push({ ...eliminationRecord(step), logits: joint.dataSync() as Float32Array });
      return logSumExpLast(joint);
    });
  }

  chain(unary: tf.Tensor, pair: tf.Tensor, step: ChainStep): tf.Tensor {
    const sweep = chainForward(chainLayout(unary.shape, pair.shape, "SampleRing.chain"), unary.dataSync(), pair.dataSync());
    this.records.push({ ...chainRecord(step), sweep });
    return tf.tensor(Float32Array.from(sweep.logZ), [...step.plateShape]);
  }
}
