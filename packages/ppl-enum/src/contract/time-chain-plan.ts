/**
 * A vectorizedMarkov chain in the plan: which of the plan's inputs are its
 * step-0 factors (on the state at t = 0) and its step-1 factors (on the
 * states at t-1 and t, stacked along its time dim). The plan eliminates the
 * chain with one step, the ring's chain operation (time-chain-exec.ts), and
 * contracts the result, a factor over the chain's batch, with the rest. A
 * state of several variables is their product space. Structure only: no
 * tensors, so it is part of the plan's cache key.
 */
import type { ChainOutput, ChainSpec } from "./chain-plan.js";
import type { Dim } from "./factor.js";

export interface TimeChain {
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
  /** The plan inputs (by index) of step 0's factors and of step 1's. */
  readonly init: readonly number[];
  readonly step: readonly number[];
}

/** The plan step: the chain's inputs in, one factor over `chain.batch` out. */
export interface TimeChainStep {
  readonly kind: "timeChain";
  readonly chain: TimeChain;
  /** The ring's view: the chain's batch, and each state variable's component of the flattened state. */
  readonly spec: ChainSpec;
  readonly out: number;
}

export function timeChainKey(c: TimeChain): string {
  return `${c.time}:${c.steps}:${c.prev.join(",")}>${c.curr.join(",")}[${c.batch.join(",")}|${c.plates.join(",")}](${c.init.join(",")};${c.step.join(",")})`;
}

/** Each state variable's component of the flattened state: step 0's at t = 0, step 1's along time. */
export function timeChainSpec(c: TimeChain, size: (d: Dim) => number): ChainSpec {
  const outputs: ChainOutput[] = [];
  let stride = c.prev.map(size).reduce((a, b) => a * b, 1);
  c.prev.forEach((d, v) => {
    const n = size(d);
    stride /= n;
    outputs.push({ dim: d, stride, size: n, step: 0 });
    outputs.push({ dim: c.curr[v]!, stride, size: n, step: 1, time: c.time });
  });
  return { batch: c.batch, batchShape: c.batch.map(size), elimPlates: c.plates, outputs };
}
