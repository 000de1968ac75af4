/**
 * A time chain in the plan, the one road into the chain kernel (a
 * vectorizedMarkov body, a markov loop stacked along time by the trace walk,
 * or per-step factors the plan found by structure and stacked, chain-plan.ts):
 * which of the plan's inputs are its
 * step-0 factors (on the state at t = 0), its step-1 factors (on the states
 * at t-1 and t, stacked along its time dim) and, for a loop, its factors on
 * the state at every step (along a second time dim). The plan eliminates the
 * chain with one step, the ring's chain operation (time-chain-exec.ts), and
 * contracts the result, a factor over the chain's batch, with the rest. A
 * state of several variables is their product space (when each has transitions
 * of its own, past the ring's pairedStates, the factorial kernel's). Structure only: no
 * tensors, so it is part of the plan's cache key.
 */
import type { Dim } from "./factor.js";

/**
 * Where a decoded chain's path goes: variable `dim` is the component
 * ⌊state / stride⌋ mod size of the chain's state at step `step`, or, with
 * `time`, of every state from `step` on, along that time dim (a
 * vectorizedMarkov body's variables, whose state is several of them).
 */
export interface ChainOutput {
  readonly dim: Dim;
  readonly stride: number;
  readonly size: number;
  readonly step: number;
  readonly time?: Dim;
}

/** What a ring needs besides the chain's terms: the kernel's batch and where the decoded paths go. */
export interface ChainSpec {
  /** The dims of the kernel's batch, row-major: plates, or enumerated variables from outside the chain. */
  readonly batch: readonly Dim[];
  readonly batchShape: readonly number[];
  /** The plates the chain's variables live in (a decoder picks them once per member of each). */
  readonly elimPlates: readonly Dim[];
  readonly outputs: readonly ChainOutput[];
}

export interface TimeChain {
  readonly time: Dim;
  /** T - 1, the number of transitions. */
  readonly steps: number;
  /** The chain's state at t-1 (step 0's variables) and at t (step 1's), paired by position. */
  readonly prev: readonly Dim[];
  readonly curr: readonly Dim[];
  /** Their sizes (prev[i] and curr[i] have the same). */
  readonly stateSizes: readonly number[];
  /** Dims the result keeps: enumerated variables from outside the chain, then the chain's plates. */
  readonly batch: readonly Dim[];
  /** The chain's plates (the result's ordinal). */
  readonly plates: readonly Dim[];
  /** The plan inputs (by index) of step 0's factors and of step 1's. */
  readonly init: readonly number[];
  readonly step: readonly number[];
  /** The plan inputs on the state at every step, t = 0..T-1 along `span` (on `curr`'s dims). */
  readonly every: readonly number[];
  readonly span?: Dim;
  /** A markov loop's state variables at each step (where its decoded path goes); a vectorizedMarkov chain's are prev and curr along time. */
  readonly stepVars?: readonly (readonly Dim[])[];
}

/** The plan step: the chain's inputs in, one factor over `chain.batch` out. */
export interface TimeChainStep {
  readonly kind: "timeChain";
  readonly chain: TimeChain;
  /** The ring's view: the chain's batch, and each state variable's component of the flattened state. */
  readonly spec: ChainSpec;
  /**
   * A state of several variables whose transitions are each on one of them
   * (a factorial chain: every factor on the previous state is on one prev[m]
   * and at most its curr[m]): past the ring's pairedStates it is eliminated
   * by the ring's factorial operation, each variable's transitions applied on
   * their own, instead of pairing the whole product state.
   */
  readonly factorial: boolean;
  readonly out: number;
}

/**
 * The largest factorial state the sum-product rings pair whole (K × K per
 * step), and the largest state a markov loop's coupled transitions may have.
 * Up to it pairing beats the factorial kernel's bookkeeping in the
 * forward–backward pass even where each variable has transitions of its own
 * (hmm.py's model_3, 4 × 4 states: 123 ms a step paired against 147 ms
 * factorial, docs/performance.md); past it a state whose transitions couple
 * its variables is not fused.
 */
export const MAX_PAIRED_STATES = 64;

/** Whether `c` is a factorial chain: a state of several variables whose transition factors (the step inputs' `dims`) each stay on one. */
export function isFactorial(c: TimeChain, dimsOf: (input: number) => readonly Dim[]): boolean {
  return c.prev.length > 1 && c.step.every((i) => ownTransition(dimsOf(i), c.prev, c.curr));
}

/** Whether a factor on `dims` is on at most one previous variable, and then on no current one but its own (or on none: a unary term). */
export function ownTransition(dims: readonly Dim[], prev: readonly Dim[], curr: readonly Dim[]): boolean {
  const m = prev.findIndex((d) => dims.includes(d));
  if (m < 0) return true;
  return prev.every((d, k) => k === m || !dims.includes(d)) && curr.every((d, k) => k === m || !dims.includes(d));
}

export function timeChainKey(c: TimeChain): string {
  const vars = c.stepVars?.map((s) => s.join(",")).join("/") ?? `${c.prev.join(",")}>${c.curr.join(",")}`;
  return `${c.time}:${c.steps}:${vars}=${c.stateSizes.join(",")}[${c.batch.join(",")}|${c.plates.join(",")}](${c.init.join(",")};${c.step.join(",")};${c.every.join(",")})`;
}

/** Each state variable's component of the flattened state: a loop's at each step; a vectorizedMarkov chain's step 0's at t = 0, step 1's along time. */
export function timeChainSpec(c: TimeChain, size: (d: Dim) => number): ChainSpec {
  const outputs: ChainOutput[] = [];
  let stride = c.prev.map(size).reduce((a, b) => a * b, 1);
  c.prev.forEach((d, v) => {
    const n = size(d);
    stride /= n;
    if (c.stepVars !== undefined) c.stepVars.forEach((vars, step) => outputs.push({ dim: vars[v]!, stride, size: n, step }));
    else outputs.push({ dim: d, stride, size: n, step: 0 }, { dim: c.curr[v]!, stride, size: n, step: 1, time: c.time });
  });
  return { batch: c.batch, batchShape: c.batch.map(size), elimPlates: c.plates, outputs };
}
