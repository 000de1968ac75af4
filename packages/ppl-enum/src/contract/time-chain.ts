/**
 * A vectorizedMarkov chain as the ring's chain operation: the step-0 factors
 * make the unary term of the first state, the step-1 factors (stacked along
 * time) the unary terms of the later states and the pairwise term of every
 * transition, and the ring eliminates them in one pass of ppl-core's chain
 * kernel, as it does a markov loop's fused plan step: forward–backward for
 * the ELBO, Viterbi or FFBS (with a record for backward.ts) for inferDiscrete.
 * A state of several variables is their product space (prev and curr
 * flattened alike).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ChainOutput, ChainSpec } from "./chain-plan.js";
import type { Dim, Factor } from "./factor.js";
import type { Ring } from "./rings.js";

/** A vectorizedMarkov chain's factors and dims, as the contraction needs them. */
export interface TimeChainShape {
  readonly time: Dim;
  /** T - 1, the number of transitions. */
  readonly steps: number;
  /** The chain's state at t-1 (step 0's variables) and at t (step 1's), paired by position. */
  readonly prev: readonly Dim[];
  readonly curr: readonly Dim[];
  /** Dims the result keeps: enumerated variables from outside the chain, then the chain's plates. */
  readonly batch: readonly Dim[];
  /** The chain's plates (the result's ordinal). */
  readonly plates: readonly Dim[];
  /** Step 0's factors (on the state at t = 0) and step 1's (stacked along `time`). */
  readonly init: readonly Factor[];
  readonly step: readonly Factor[];
}

/** `f` laid out on `target` (size 1 where it does not vary); dims it has beyond `target` (deeper plates) are summed. */
function align(f: Factor, target: readonly Dim[]): tf.Tensor {
  const extra = f.dims.flatMap((d, i) => (target.includes(d) ? [] : [i]));
  let x = extra.length > 0 ? f.data.sum(extra) : f.data;
  const kept = f.dims.filter((d) => target.includes(d));
  const order = target.filter((d) => kept.includes(d));
  const perm = order.map((d) => kept.indexOf(d));
  if (perm.some((p, i) => p !== i)) x = x.transpose(perm);
  return x.reshape(target.map((d) => (kept.includes(d) ? x.shape[order.indexOf(d)]! : 1)));
}

/** Σ of the factors on `target`, broadcast to `shape` by adding zeros (tf.broadcastTo's gradient is a per-copy Tile). */
function total(factors: readonly Factor[], target: readonly Dim[], shape: readonly number[]): tf.Tensor {
  let sum: tf.Tensor | undefined;
  for (const f of factors) {
    const x = align(f, target);
    sum = sum === undefined ? x : sum.add(x);
  }
  if (sum === undefined) return tf.zeros([...shape]);
  return sum.shape.every((s, i) => s === shape[i]) ? sum : sum.add(tf.zeros([...shape]));
}

export interface ChainTerms {
  /** [Bu, T, K]: the step-0 factors at t = 0, then step 1's factors on the current state alone (emissions). */
  readonly unary: tf.Tensor;
  /** [Bp, T-1 or 1, K, K]: step 1's factors on the previous state (transitions), previous state first; 1 step when none varies along time. */
  readonly pair: tf.Tensor;
  /** The number of batch entries (the product of the batch dims' sizes). */
  readonly B: number;
  readonly batchShape: readonly number[];
}

/**
 * The chain as the unary and pairwise terms of the fused op, the state
 * flattened to K = Π state sizes. Factors that do not involve the previous
 * state go into the unary term, so a transition shared by the whole batch
 * stays [1, T-1, K, K] instead of being broadcast over every sequence.
 */
export function timeChainTerms(c: TimeChainShape, sizes: ReadonlyMap<Dim, number>): ChainTerms {
  const size = (d: Dim) => sizes.get(d)!;
  const batchShape = c.batch.map(size);
  const B = batchShape.reduce((a, b) => a * b, 1);
  const K = c.prev.map(size).reduce((a, b) => a * b, 1);
  const T = c.steps + 1;
  // the op takes a batch of 1 as shared: only terms that vary along the batch are broadcast
  const varies = (fs: readonly Factor[]) => fs.some((f) => f.dims.some((d) => c.batch.includes(d)));
  const lead = (fs: readonly Factor[]) => (varies(fs) ? batchShape : c.batch.map(() => 1));
  const usesPrev = (f: Factor) => f.dims.some((d) => c.prev.includes(d));
  const pairFactors = c.step.filter(usesPrev);
  const currFactors = c.step.filter((f) => !usesPrev(f));
  const [prevShape, currShape] = [c.prev.map(size), c.curr.map(size)];
  const init = total(c.init, [...c.batch, ...c.prev], [...lead(c.init), ...prevShape]);
  const curr = total(currFactors, [...c.batch, c.time, ...c.curr], [...lead(currFactors), c.steps, ...currShape]);
  // a transition constant along time stays one transition (the kernel's Tp = 1), never copied T-1 times
  const Tp = pairFactors.some((f) => f.dims.includes(c.time)) ? c.steps : 1;
  const pair = total(pairFactors, [...c.batch, c.time, ...c.prev, ...c.curr], [...lead(pairFactors), Tp, ...prevShape, ...currShape]);
  const Bu = varies(c.init) || varies(currFactors) ? B : 1;
  const toBatch = (x: tf.Tensor) => (x.shape[0] === Bu ? x : x.add(tf.zeros([Bu, ...x.shape.slice(1)])));
  const unary = tf.concat([toBatch(init.reshape([-1, 1, K])), toBatch(curr.reshape([-1, T - 1, K]))], 1);
  return { unary, pair: pair.reshape([varies(pairFactors) ? B : 1, Tp, K, K]), B, batchShape };
}

/** The ring's view of the chain: its batch, and each state variable's component of the flattened state (step 0's at t = 0, step 1's along time). */
export function timeChainSpec(c: TimeChainShape, sizes: ReadonlyMap<Dim, number>): ChainSpec {
  const stateSizes = c.prev.map((d) => sizes.get(d)!);
  const outputs: ChainOutput[] = [];
  let stride = stateSizes.reduce((a, b) => a * b, 1);
  stateSizes.forEach((size, v) => {
    stride /= size;
    outputs.push({ dim: c.prev[v]!, stride, size, step: 0 });
    outputs.push({ dim: c.curr[v]!, stride, size, step: 1, time: c.time });
  });
  return { batch: c.batch, batchShape: c.batch.map((d) => sizes.get(d)!), elimPlates: c.plates, outputs };
}

/** The chain eliminated by `ring`: a tensor on `c.batch` (the log-sum, or the max, over all state paths per batch entry). */
export function contractTimeChain(c: TimeChainShape, sizes: ReadonlyMap<Dim, number>, ring: Ring): tf.Tensor {
  const { unary, pair } = timeChainTerms(c, sizes);
  return ring.chain(unary, pair, timeChainSpec(c, sizes));
}

/**
 * The chain as one more input of the plan: a factor over its batch that the
 * plan's ring eliminates when a step reads it (so MAP and sampling record it
 * in the order the plan needs it: before the variables outside it that it
 * depends on are eliminated).
 */
export function timeChainFactor(c: TimeChainShape, sizes: ReadonlyMap<Dim, number>): Factor {
  return {
    dims: c.batch,
    shape: c.batch.map((d) => sizes.get(d)!),
    byRing: (ring) => contractTimeChain(c, sizes, ring),
    get data(): tf.Tensor {
      throw new Error(`internal: the time chain over ${c.time} is eliminated by a plan's ring, not read as data`);
    },
  };
}
