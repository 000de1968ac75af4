/**
 * Semirings for the one contraction routine. Each reduces the last axis of a
 * joint factor (`combine`) and eliminates a whole first-order chain in one
 * pass of ppl-core's chain kernel (`chain`): log-sum-exp and forward–backward
 * for the ELBO (differentiable), max and Viterbi for MAP, log-sum-exp and a
 * forward filter for sampling; the last two keep what the backward pass
 * needs to choose the eliminated variables given everything decided after them.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  type ChainLayout, type ChainSweep, chainForward, chainLayout, chainLogSumExp, chainViterbi, factorialForward, factorialLayout, factorialLogSumExp,
  factorialSample, factorialViterbi, readValues,
} from "ppl-core/internal";
import { type ChainSpec, MAX_PAIRED_STATES } from "./time-chain-plan.js";
import type { Dim } from "./factor.js";
import { jointOf, logSumExpLast, logSumProduct } from "./logsumexp.js";
import type { CombineStep } from "./plan.js";
import { type StackedTerm, readCopy, stackedTensor, stackedValues } from "./stacked-term.js";

export interface Ring {
  /**
   * The largest state of a factorial chain (TimeChainStep.factorial) the
   * ring's chain operation pairs whole (S × S per step); past it, its
   * factorial operation applies each variable's transitions apart (S · Σ K_m).
   */
  readonly pairedStates: number;
  /** Reduce `elim` (the last axis) of the sum of `aligned`, each broadcastable to `step.jointShape`. */
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor;
  /**
   * Eliminate every variable of a chain: unary [Bu, n, K], pair [Bp, Tp, K, K]
   * (the chain kernel's layout; its batch is spec.batch, or 1 when no term
   * varies along it), each the factors that make it (stacked-term.ts). The
   * result has shape spec.batchShape.
   */
  chain(unary: StackedTerm, pair: StackedTerm, spec: ChainSpec): tf.Tensor;
  /**
   * Eliminate every variable of M chains that meet only in per-step factors: `unary` on their product state
   * [Bu, n, Π K_m], pairs[m] chain m's transitions [Bp, n-1|1, K_m, K_m] (ppl-core's factorial kernel;
   * spec.outputs read each variable off the product state). The result has shape spec.batchShape.
   */
  factorial(unary: StackedTerm, pairs: readonly StackedTerm[], spec: ChainSpec): tf.Tensor;
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
 * What the backward pass needs from one chain. Given its batch (plates, and
 * variables decided later), the chain's variables depend on nothing else:
 * MAP has its paths already, sampling draws them from the forward filter.
 */
export interface ChainRecord {
  readonly kind: "chain";
  readonly spec: ChainSpec;
  /** The chain's length and the kernel's batch size (1: every batch entry has the same chain). */
  readonly n: number;
  readonly B: number;
  /** MAP: the Viterbi paths, [B, n]. */
  readonly paths?: Int32Array;
  /** Sampling: the forward filter. */
  readonly sweep?: ChainSweep;
  /** Sampling a factorial chain: draws member b's path (product states) into out[offset .. offset + n). */
  readonly draw?: (b: number, rng: () => number, out: Int32Array, offset: number) => void;
}

export type PlanRecord = EliminationRecord | ChainRecord;

/** The kernel's [B] result over spec.batchShape: a reshape, or a broadcast when B is 1. */
function toBatch(x: tf.Tensor, spec: ChainSpec): tf.Tensor {
  const size = spec.batchShape.reduce((a, b) => a * b, 1);
  return (x.shape[0] === size ? x : x.add(tf.zeros([size]))).reshape([...spec.batchShape]);
}

/** A JS kernel's [B] scores as a tensor over spec.batchShape (B = 1: every member's). */
function scoresOf(scores: Float64Array, spec: ChainSpec): tf.Tensor {
  const out = new Float32Array(spec.batchShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = scores[scores.length === 1 ? 0 : i]!;
  return tf.tensor(out, [...spec.batchShape]);
}

/** Sum-product in log space: the ELBO's ring. */
export const logRing: Ring = {
  pairedStates: MAX_PAIRED_STATES,
  combine: (aligned, step) => logSumProduct(aligned, step.jointShape),
  chain: (unary, pair, spec) => toBatch(chainLogSumExp(stackedTensor(unary), stackedTensor(pair)), spec),
  factorial: (unary, pairs, spec) => toBatch(factorialLogSumExp(stackedTensor(unary), pairs.map(stackedTensor)), spec),
};

function eliminationRecord(step: CombineStep): Omit<EliminationRecord, "backPointers" | "logits"> {
  return {
    kind: "eliminate", outDims: step.outDims, outShape: step.jointShape.slice(0, -1), elim: step.elim, elimPlates: step.elimPlates,
    elimSize: step.jointShape[step.jointShape.length - 1]!,
  };
}

function chainRecord(spec: ChainSpec, L: Pick<ChainLayout, "n" | "B">): Omit<ChainRecord, "paths" | "sweep"> {
  return { kind: "chain", spec, n: L.n, B: L.B };
}

// The MAP ring's unary terms, one array grown as needed and reused by every decode: its Viterbi reads a term only
// while it runs (a day's [T, S] term at M = 2 was a new 104 kB array a call, a third of the read's time).
let unaryScratch = new Float64Array(0);

function unaryValues(unary: StackedTerm): Float64Array {
  const size = unary.shape.reduce((a, b) => a * b, 1);
  if (unaryScratch.length < size) unaryScratch = new Float64Array(size);
  return stackedValues(unary, readValues, unaryScratch.subarray(0, size));
}

/**
 * Max-product with back-pointers (temperature 0: Viterbi on a chain). It runs
 * inside the MAP op (map-op.ts), so its kernels read the factors in place.
 */
export class MapRing implements Ring {
  /**
   * Viterbi has no backward pass to share the factorial kernel's bookkeeping
   * with: its S · Σ K_m max-plus beats pairing's S² past 2 × 2 states
   * (T = 1 440, factorialViterbi against chainViterbi: 0.14 against 0.14 ms at
   * 2 × 2, 0.29 against 0.53 at 3 × 3, 1.85 against 3.4 at 3 × 3 × 3).
   */
  readonly pairedStates = 4;
  readonly records: PlanRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      const bp = joint.argMax(-1);
      this.records.push({ ...eliminationRecord(step), backPointers: bp.dataSync() as Int32Array });
      return joint.max(-1);
    });
  }

  chain(unary: StackedTerm, pair: StackedTerm, spec: ChainSpec): tf.Tensor {
    const L = chainLayout(unary.shape, pair.shape, "MapRing.chain");
    const v = chainViterbi(L, unaryValues(unary), stackedValues(pair, readValues));
    this.records.push({ ...chainRecord(spec, L), paths: v.paths });
    return scoresOf(v.scores, spec);
  }

  factorial(unary: StackedTerm, pairs: readonly StackedTerm[], spec: ChainSpec): tf.Tensor {
    const L = factorialLayout(unary.shape, pairs.map((p) => p.shape), "MapRing.factorial");
    const v = factorialViterbi(L, unaryValues(unary), pairs.map((p) => stackedValues(p, readValues)));
    this.records.push({ ...chainRecord(spec, L), paths: v.paths });
    return scoresOf(v.scores, spec);
  }
}

/** Sum-product that keeps each joint factor for backward sampling (temperature 1: forward filtering, backward sampling). */
export class SampleRing implements Ring {
  readonly pairedStates = MAX_PAIRED_STATES;
  readonly records: PlanRecord[] = [];
  combine(aligned: readonly tf.Tensor[], step: CombineStep): tf.Tensor {
    return tf.tidy(() => {
      const joint = jointOf(aligned, step.jointShape);
      this.records.push({ ...eliminationRecord(step), logits: joint.dataSync() as Float32Array });
      return logSumExpLast(joint);
    });
  }

  chain(unary: StackedTerm, pair: StackedTerm, spec: ChainSpec): tf.Tensor {
    const L = chainLayout(unary.shape, pair.shape, "SampleRing.chain");
    const sweep = chainForward(L, stackedValues(unary, readCopy), stackedValues(pair, readCopy));
    this.records.push({ ...chainRecord(spec, L), sweep });
    return scoresOf(sweep.logZ, spec);
  }

  factorial(unary: StackedTerm, pairs: readonly StackedTerm[], spec: ChainSpec): tf.Tensor {
    const L = factorialLayout(unary.shape, pairs.map((p) => p.shape), "SampleRing.factorial");
    const sweep = factorialForward(L, stackedValues(unary, readCopy), pairs.map((p) => stackedValues(p, readCopy)));
    this.records.push({ ...chainRecord(spec, L), draw: (b, rng, out, offset) => factorialSample(sweep, b, rng, out, offset) });
    return scoresOf(sweep.logZ, spec);
  }
}
