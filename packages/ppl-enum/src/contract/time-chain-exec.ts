/**
 * A time chain as the ring's chain operation: the step-0 factors make the
 * unary term of the first state, the step-1 factors (stacked along time) the
 * unary terms of the later states and the pairwise term of every transition,
 * a loop's factors on every step add to the unary terms, and the ring
 * eliminates them in one pass of ppl-core's chain kernel: forward–backward for
 * the ELBO, Viterbi or FFBS (with a record for backward.ts) for inferDiscrete.
 * A state of several variables is their product space (prev and curr
 * flattened alike).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Dim, Factor } from "./factor.js";
import type { Ring } from "./rings.js";
import type { Slots } from "./slots.js";
import type { TimeChain, TimeChainStep } from "./time-chain-plan.js";

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
export function timeChainTerms(
  c: TimeChain, init: readonly Factor[], step: readonly Factor[], every: readonly Factor[], size: (d: Dim) => number,
): ChainTerms {
  const batchShape = c.batch.map(size);
  const B = batchShape.reduce((a, b) => a * b, 1);
  const K = c.prev.map(size).reduce((a, b) => a * b, 1);
  const T = c.steps + 1;
  // the op takes a batch of 1 as shared: only terms that vary along the batch are broadcast
  const varies = (fs: readonly Factor[]) => fs.some((f) => f.dims.some((d) => c.batch.includes(d)));
  const lead = (fs: readonly Factor[]) => (varies(fs) ? batchShape : c.batch.map(() => 1));
  const usesPrev = (f: Factor) => f.dims.some((d) => c.prev.includes(d));
  const pairFactors = step.filter(usesPrev);
  const currFactors = step.filter((f) => !usesPrev(f));
  const [prevShape, currShape] = [c.prev.map(size), c.curr.map(size)];
  // the unary terms [1 or B, T, K], each kind laid on its steps (a pad, not a concat with zeros); adding them
  // broadcasts a shared kind over the batch
  const parts: tf.Tensor[] = [];
  if (init.length > 0) parts.push(total(init, [...c.batch, ...c.prev], [...lead(init), ...prevShape]).reshape([-1, 1, K]).pad([[0, 0], [0, T - 1], [0, 0]]));
  if (currFactors.length > 0) {
    const curr = total(currFactors, [...c.batch, c.time, ...c.curr], [...lead(currFactors), c.steps, ...currShape]);
    parts.push(curr.reshape([-1, T - 1, K]).pad([[0, 0], [1, 0], [0, 0]]));
  }
  // a loop's factors on the state at every step (its emissions), stacked along the span
  if (every.length > 0) parts.push(total(every, [...c.batch, c.span!, ...c.curr], [...lead(every), T, ...currShape]).reshape([-1, T, K]));
  const unary = parts.length === 0 ? tf.zeros([1, T, K]) : parts.reduce((a, b) => a.add(b));
  // a transition constant along time stays one transition (the kernel's Tp = 1), never copied T-1 times
  const Tp = pairFactors.some((f) => f.dims.includes(c.time)) ? c.steps : 1;
  const pair = total(pairFactors, [...c.batch, c.time, ...c.prev, ...c.curr], [...lead(pairFactors), Tp, ...prevShape, ...currShape]);
  return { unary, pair: pair.reshape([varies(pairFactors) ? B : 1, Tp, K, K]), B, batchShape };
}

/** The chain eliminated by the run's ring: a tensor on `chain.batch` (the log-sum, or the max, over all state paths per batch entry). */
export function runTimeChain(step: TimeChainStep, slots: Slots, slotDims: readonly (readonly Dim[])[], size: (d: Dim) => number, ring: Ring): tf.Tensor {
  const input = (i: number): Factor => ({ data: slots.get(i), dims: slotDims[i]! });
  const c = step.chain;
  const { unary, pair } = timeChainTerms(c, c.init.map(input), c.step.map(input), c.every.map(input), size);
  return ring.chain(unary, pair, step.spec);
}
