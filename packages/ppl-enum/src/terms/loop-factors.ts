/**
 * The collected factors made: those outside a fused markov loop as they
 * are, each loop's initial terms as they are and its roles stacked along
 * time (stack-steps.ts), with the TimeChain the plan eliminates them by.
 */
import type { Dim, PlacedFactor } from "../contract/factor.js";
import type { TimeChain } from "../contract/time-chain-plan.js";
import type { LoopChain } from "./markov-loops.js";
import { type BatchRows, type LogProbSource, stackRole } from "./stack-steps.js";

interface Collected {
  readonly dims: readonly Dim[];
  readonly ordinal: readonly Dim[];
  readonly source: LogProbSource;
}

export interface MadeFactors {
  readonly factors: PlacedFactor[];
  /** Per factor, the collected factor it came from (a stacked role: its first step's). */
  readonly origins: number[];
  readonly loops: TimeChain[];
}

/** A loop's time dims: `t:` over steps 1..T-1 (as a vectorizedMarkov body's), `T:` over every step. */
const loopTime = (k: number): Dim => `t:markov-loop-${k}`;
const loopSpan = (k: number): Dim => `T:markov-loop-${k}`;

export function loopTimeChains(found: readonly LoopChain[], collected: readonly Collected[], rows: BatchRows): MadeFactors {
  const factors: PlacedFactor[] = [];
  const origins: number[] = [];
  const add = (i: number) => {
    const c = collected[i]!;
    origins.push(i);
    factors.push({ factor: { data: rows.tensor(c.source), dims: c.dims }, ordinal: c.ordinal });
    return factors.length - 1;
  };
  const inLoop = new Uint8Array(collected.length);
  for (const l of found) {
    for (const i of l.init) inLoop[i] = 1;
    for (const r of l.roles) for (const i of r.members) inLoop[i] = 1;
  }
  for (let i = 0; i < collected.length; i++) if (inLoop[i] === 0) add(i);
  const loops = found.map((l, k): TimeChain => {
    const time = loopTime(k);
    const span = loopSpan(k);
    const init = l.init.map(add);
    const step: number[] = [];
    const every: number[] = [];
    for (const role of l.roles) {
      const { data, timed } = stackRole(role, role.members.map((i) => collected[i]!.source), rows);
      const dims = timed ? [role.from === 0 ? span : time, ...role.dims] : [...role.dims];
      origins.push(role.members[0]!);
      factors.push({ factor: { data, dims }, ordinal: role.ordinal });
      (role.from === 0 ? every : step).push(factors.length - 1);
    }
    return {
      time, span, steps: l.length - 1, prev: l.state[0]!, curr: l.state[1]!, stateSizes: l.sizes, batch: [...l.outer, ...l.plates], plates: l.plates,
      init, step, every, stepVars: l.state,
    };
  });
  return { factors, origins, loops };
}
