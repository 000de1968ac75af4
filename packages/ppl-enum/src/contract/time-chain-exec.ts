/**
 * A time chain as the ring's chain operation: the step-0 factors make the
 * unary term of the first state, the step-1 factors (stacked along time) the
 * unary terms of the later states and the pairwise term of every transition,
 * a loop's factors on every step add to the unary terms, and the ring
 * eliminates them in one pass of ppl-core's chain kernel: forward–backward for
 * the ELBO, Viterbi or FFBS (with a record for backward.ts) for inferDiscrete.
 * A state of several variables is their product space (prev and curr
 * flattened alike); when each variable has transitions of its own (a
 * factorial chain) and the state is over the ring's pairedStates, the ring's
 * factorial operation takes each variable's transitions apart (ppl-core's
 * factorial kernel) instead of pairing the product state.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Dim, Factor } from "./factor.js";
import type { Ring } from "./rings.js";
import type { Slots } from "./slots.js";
import type { StackedTerm, TermPiece } from "./stacked-term.js";
import type { TimeChain, TimeChainStep } from "./time-chain-plan.js";

/** A chain's factors by kind: on the state at t = 0, on t-1 and t (transitions), on t alone (steps 1..T-1), on every step. */
interface Kinds {
  readonly init: readonly Factor[];
  readonly pair: readonly Factor[];
  readonly curr: readonly Factor[];
  readonly every: readonly Factor[];
}

function kindsOf(c: TimeChain, init: readonly Factor[], step: readonly Factor[], every: readonly Factor[]): Kinds {
  const usesPrev = (f: Factor) => f.dims.some((d) => c.prev.includes(d));
  return { init, pair: step.filter(usesPrev), curr: step.filter((f) => !usesPrev(f)), every };
}

/** The chain's batch shape where some of `fs` varies along it, else ones (the kernels take a batch of 1 as shared). */
function batchShapeOf(c: TimeChain, fs: readonly Factor[], size: (d: Dim) => number): number[] {
  const varies = fs.some((f) => f.dims.some((d) => c.batch.includes(d)));
  return c.batch.map((d) => (varies ? size(d) : 1));
}

/**
 * Factor `f` as a piece of a term on (batch, `time`, `state`), landing on
 * `steps` steps from `first`: its row-major strides along those dims (0
 * along one it lacks or has at size 1: broadcast); dims it has beyond them
 * (deeper plates) are summed first.
 */
function piece(c: TimeChain, f: Factor, time: Dim | undefined, state: readonly Dim[], first: number, steps: number): TermPiece {
  const target = [...c.batch, ...(time === undefined ? [] : [time]), ...state];
  const extra = f.dims.flatMap((d, i) => (target.includes(d) ? [] : [i]));
  const data = extra.length > 0 ? f.data.sum(extra) : f.data;
  const kept = f.dims.filter((d) => target.includes(d));
  const strides = new Map<Dim, number>();
  for (let i = kept.length - 1, acc = 1; i >= 0; acc *= data.shape[i]!, i--) strides.set(kept[i]!, data.shape[i] === 1 ? 0 : acc);
  const along = (d: Dim | undefined) => (d === undefined ? 0 : strides.get(d) ?? 0);
  return { data, first, steps, batch: c.batch.map(along), time: along(time), state: state.map(along) };
}

/**
 * The unary term on the whole state: [1 or B, T, Π state sizes], the step-0
 * kind at t = 0, the step-1 kind at t = 1..T-1 and a loop's kind on every
 * step.
 */
function unaryTerm(c: TimeChain, k: Kinds, size: (d: Dim) => number): StackedTerm {
  const T = c.steps + 1;
  const batchShape = batchShapeOf(c, [...k.init, ...k.curr, ...k.every], size);
  const stateShape = c.prev.map(size);
  const pieces = [
    ...k.init.map((f) => piece(c, f, undefined, c.prev, 0, 1)),
    ...k.curr.map((f) => piece(c, f, c.time, c.curr, 1, T - 1)),
    ...k.every.map((f) => piece(c, f, c.span!, c.curr, 0, T)),
  ];
  const B = batchShape.reduce((a, b) => a * b, 1);
  return { pieces, batchShape, n: T, stateShape, shape: [B, T, stateShape.reduce((a, b) => a * b, 1)] };
}

/**
 * The transitions between `prev` and `curr` (the whole state, or one
 * variable of a factorial one): [1 or B, T-1 or 1, K, K], previous state
 * first. A transition constant along time stays one transition (the
 * kernel's Tp = 1), never copied T-1 times.
 */
function pairTerm(c: TimeChain, prev: readonly Dim[], curr: readonly Dim[], pair: readonly Factor[], size: (d: Dim) => number): StackedTerm {
  const batchShape = batchShapeOf(c, pair, size);
  const stateShape = [...prev.map(size), ...curr.map(size)];
  const K = prev.map(size).reduce((a, b) => a * b, 1);
  // (a plan's stacked transition shared by every step has size 1 along time)
  const Tp = pair.some((f) => (f.data.shape[f.dims.indexOf(c.time)] ?? 1) > 1) ? c.steps : 1;
  const pieces = pair.map((f) => piece(c, f, c.time, [...prev, ...curr], 0, Tp));
  return { pieces, batchShape, n: Tp, stateShape, shape: [batchShape.reduce((a, b) => a * b, 1), Tp, K, K] };
}

/** The chain eliminated by the run's ring: a tensor on `chain.batch` (the log-sum, or the max, over all state paths per batch entry). */
export function runTimeChain(step: TimeChainStep, slots: Slots, slotDims: readonly (readonly Dim[])[], size: (d: Dim) => number, ring: Ring): tf.Tensor {
  const input = (i: number): Factor => ({ data: slots.get(i), dims: slotDims[i]! });
  const c = step.chain;
  const [init, steps, every] = [c.init.map(input), c.step.map(input), c.every.map(input)];
  const k = kindsOf(c, init, steps, every);
  // factors that do not involve the previous state go into the unary term, so a transition shared by the whole
  // batch stays [1, T-1, K, K] instead of being broadcast over every sequence
  const unary = unaryTerm(c, k, size);
  if (step.factorial && c.stateSizes.reduce((a, b) => a * b, 1) > ring.pairedStates) {
    const pairs = c.prev.map((p, m) => pairTerm(c, [p], [c.curr[m]!], k.pair.filter((f) => f.dims.includes(p)), size));
    return ring.factorial(unary, pairs, step.spec);
  }
  return ring.chain(unary, pairTerm(c, c.prev, c.curr, k.pair, size), step.spec);
}
