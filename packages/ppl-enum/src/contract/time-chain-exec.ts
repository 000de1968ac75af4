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
import * as tf from "@tensorflow/tfjs-core";
import type { FactorialTerm } from "ppl-core/internal";
import type { Dim, Factor } from "./factor.js";
import type { Ring } from "./rings.js";
import type { Slots } from "./slots.js";
import { type UnaryPiece, stackedUnary } from "./stacked-unary.js";
import type { TimeChain, TimeChainStep } from "./time-chain-plan.js";

/** `f` laid out on `target` (size 1 where it does not vary); dims it has beyond `target` (deeper plates) are summed. */
function align(f: Factor, target: readonly Dim[]): tf.Tensor {
  const extra = f.dims.flatMap((d, i) => (target.includes(d) ? [] : [i]));
  let x = extra.length > 0 ? f.data.sum(extra) : f.data;
  const kept = f.dims.filter((d) => target.includes(d));
  const order = target.filter((d) => kept.includes(d));
  const perm = order.map((d) => kept.indexOf(d));
  if (perm.some((p, i) => p !== i)) x = x.transpose(perm);
  const shape = target.map((d) => (kept.includes(d) ? x.shape[order.indexOf(d)]! : 1));
  // (a reshape to its own shape is still a kernel dispatch)
  return shape.length === x.rank && shape.every((s, i) => s === x.shape[i]) ? x : x.reshape(shape);
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

interface ChainTerms {
  /** [Bu, T, K]: the step-0 factors at t = 0, then step 1's factors on the current state alone (emissions). */
  readonly unary: tf.Tensor;
  /** [Bp, T-1 or 1, K, K]: step 1's factors on the previous state (transitions), previous state first; 1 step when none varies along time. */
  readonly pair: tf.Tensor;
  /** The number of batch entries (the product of the batch dims' sizes). */
  readonly B: number;
  readonly batchShape: readonly number[];
}

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

/** The chain's batch: its shape, and the lead of a term (the batch shape when some factor varies along it, else ones: the op takes a batch of 1 as shared). */
function batchOf(c: TimeChain, size: (d: Dim) => number) {
  const shape = c.batch.map(size);
  const varies = (fs: readonly Factor[]) => fs.some((f) => f.dims.some((d) => c.batch.includes(d)));
  return { shape, varies, lead: (fs: readonly Factor[]) => (varies(fs) ? shape : c.batch.map(() => 1)) };
}

/**
 * The unary term on the state variables `on` (indices into prev and curr):
 * [1 or B, T, Π their sizes], the step-0 kind at t = 0, the step-1 kind at
 * t = 1..T-1 and a loop's kind on every step, summed by one op that reads
 * each factor through its strides (stacked-unary.ts); dims a factor has
 * beyond the term's (deeper plates) are summed first.
 */
function unaryOn(c: TimeChain, on: readonly number[], k: Kinds, size: (d: Dim) => number): tf.Tensor {
  const prev = on.map((m) => c.prev[m]!);
  const curr = on.map((m) => c.curr[m]!);
  const T = c.steps + 1;
  const { shape, varies } = batchOf(c, size);
  const batchShape = varies([...k.init, ...k.curr, ...k.every]) ? shape : c.batch.map(() => 1);
  const piece = (f: Factor, time: Dim | undefined, state: readonly Dim[], first: number, steps: number): UnaryPiece => {
    const target = [...c.batch, ...(time === undefined ? [] : [time]), ...state];
    const extra = f.dims.flatMap((d, i) => (target.includes(d) ? [] : [i]));
    const data = extra.length > 0 ? f.data.sum(extra) : f.data;
    const kept = f.dims.filter((d) => target.includes(d));
    // row-major strides of the factor's kept axes; 0 along an axis of size 1 (broadcast) or one it lacks
    const strides = new Map<Dim, number>();
    for (let i = kept.length - 1, acc = 1; i >= 0; acc *= data.shape[i]!, i--) strides.set(kept[i]!, data.shape[i] === 1 ? 0 : acc);
    const along = (d: Dim | undefined) => (d === undefined ? 0 : strides.get(d) ?? 0);
    return { data, first, steps, batch: c.batch.map(along), time: along(time), state: state.map(along) };
  };
  const pieces = [
    ...k.init.map((f) => piece(f, undefined, prev, 0, 1)),
    ...k.curr.map((f) => piece(f, c.time, curr, 1, T - 1)),
    ...k.every.map((f) => piece(f, c.span!, curr, 0, T)),
  ];
  return pieces.length === 0 ? tf.zeros([1, T, prev.map(size).reduce((a, b) => a * b, 1)]) : stackedUnary(pieces, batchShape, T, prev.map(size));
}

/**
 * The transitions between `prev` and `curr` (the whole state, or one
 * variable of a factorial one): [1 or B, T-1 or 1, K, K], previous state
 * first. A transition constant along time stays one transition (the
 * kernel's Tp = 1), never copied T-1 times.
 */
function pairOn(c: TimeChain, prev: readonly Dim[], curr: readonly Dim[], pair: readonly Factor[], size: (d: Dim) => number): tf.Tensor {
  const { lead, varies, shape: batchShape } = batchOf(c, size);
  const [prevShape, currShape] = [prev.map(size), curr.map(size)];
  const K = prevShape.reduce((a, b) => a * b, 1);
  // (a plan's stacked transition shared by every step has size 1 along time)
  const Tp = pair.some((f) => (f.data.shape[f.dims.indexOf(c.time)] ?? 1) > 1) ? c.steps : 1;
  const x = total(pair, [...c.batch, c.time, ...prev, ...curr], [...lead(pair), Tp, ...prevShape, ...currShape]);
  return x.reshape([varies(pair) ? batchShape.reduce((a, b) => a * b, 1) : 1, Tp, K, K]);
}

/**
 * The chain as the unary and pairwise terms of the fused op, the state
 * flattened to K = Π state sizes. Factors that do not involve the previous
 * state go into the unary term, so a transition shared by the whole batch
 * stays [1, T-1, K, K] instead of being broadcast over every sequence.
 */
function timeChainTerms(
  c: TimeChain, init: readonly Factor[], step: readonly Factor[], every: readonly Factor[], size: (d: Dim) => number,
): ChainTerms {
  const k = kindsOf(c, init, step, every);
  const batchShape = c.batch.map(size);
  const all = c.prev.map((_, m) => m);
  return {
    unary: unaryOn(c, all, k, size), pair: pairOn(c, c.prev, c.curr, k.pair, size), B: batchShape.reduce((a, b) => a * b, 1), batchShape,
  };
}

/**
 * A factorial chain's terms for the ring's factorial operation: one unary
 * term per set of state variables the per-step factors are on (a factor on
 * none joins the first variable's; a factor whose variables another set
 * holds joins the widest such set: the kernel spreads each term over every
 * step and product state, so fewer terms is less work), and each variable's
 * own transitions.
 */
function factorialTerms(
  c: TimeChain, init: readonly Factor[], step: readonly Factor[], every: readonly Factor[], size: (d: Dim) => number,
): { terms: FactorialTerm[]; pairs: tf.Tensor[] } {
  const k = kindsOf(c, init, step, every);
  const placed: { f: Factor; on: number[]; kind: "init" | "curr" | "every" }[] = [];
  const put = (f: Factor, state: readonly Dim[], kind: "init" | "curr" | "every") => {
    const on = state.flatMap((d, m) => (f.dims.includes(d) ? [m] : []));
    placed.push({ f, on: on.length === 0 ? [0] : on, kind });
  };
  for (const f of k.init) put(f, c.prev, "init");
  for (const f of k.curr) put(f, c.curr, "curr");
  for (const f of k.every) put(f, c.curr, "every");
  const widest = (on: readonly number[]) =>
    placed.map((p) => p.on).filter((w) => on.every((m) => w.includes(m))).reduce((a, b) => (b.length > a.length ? b : a));
  const groups = new Map<string, { on: number[]; init: Factor[]; curr: Factor[]; every: Factor[] }>();
  for (const p of placed) {
    const on = widest(p.on);
    const key = on.join(",");
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { on: [...on], init: [], curr: [], every: [] }));
    g[p.kind].push(p.f);
  }
  const terms = [...groups.values()].map((g) => ({ data: unaryOn(c, g.on, { ...g, pair: [] }, size), chains: g.on }));
  const pairs = c.prev.map((p, m) => {
    const own = k.pair.filter((f) => f.dims.includes(p));
    const K = size(p);
    return own.length === 0 ? tf.zeros([1, 1, K, K]) : pairOn(c, [p], [c.curr[m]!], own, size);
  });
  return { terms, pairs };
}

/** The chain eliminated by the run's ring: a tensor on `chain.batch` (the log-sum, or the max, over all state paths per batch entry). */
export function runTimeChain(step: TimeChainStep, slots: Slots, slotDims: readonly (readonly Dim[])[], size: (d: Dim) => number, ring: Ring): tf.Tensor {
  const input = (i: number): Factor => ({ data: slots.get(i), dims: slotDims[i]! });
  const c = step.chain;
  const [init, steps, every] = [c.init.map(input), c.step.map(input), c.every.map(input)];
  if (step.factorial && c.stateSizes.reduce((a, b) => a * b, 1) > ring.pairedStates) {
    const { terms, pairs } = factorialTerms(c, init, steps, every, size);
    return ring.factorial(c.steps + 1, terms, pairs, step.spec);
  }
  const { unary, pair } = timeChainTerms(c, init, steps, every, size);
  return ring.chain(unary, pair, step.spec);
}
