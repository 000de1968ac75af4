/**
 * What the walk notes of each vectorizedMarkov chain: its time axis, the
 * enumerated variables of its step 0 and of its vectorised step 1 (the state
 * at t-1 and at t), and each variable's plates. time-chains.ts checks them and
 * makes the plan's TimeChain.
 */
import type { EnumVariable, MarkovTag } from "ppl-core/internal";
import type { SampleSite } from "ppl-core";
import type { Dim } from "../contract/factor.js";
import { ordinalOf, timeDim, varDim } from "./dims.js";

export interface TimeChainSites {
  readonly name: string;
  readonly time: Dim;
  /** T - 1: the length of the time axis of step 1. */
  readonly steps: number;
  /** The enumerated variables of step 0 and of step 1, in site order (they pair up: the state at t-1 and at t). */
  readonly vars: [Dim[], Dim[]];
  /** Their site names, for messages. */
  readonly sites: [string[], string[]];
  /** Each enumerated site's plates (time excluded). */
  readonly plates: Dim[][];
}

/** A factor's place in a vectorizedMarkov chain. */
export interface FactorChain {
  readonly chain: object;
  readonly step: number;
}

/** Notes `site`'s own enumerated variable `own` in the chain its markov tag names. */
export function noteChainVar(chains: Map<object, TimeChainSites>, tag: MarkovTag, site: SampleSite, own: EnumVariable): void {
  const frame = tag.time!;
  let c = chains.get(tag.chain);
  if (c === undefined) {
    c = { name: tag.chainName, time: timeDim(frame.name), steps: frame.size, vars: [[], []], sites: [[], []], plates: [] };
    chains.set(tag.chain, c);
  }
  const step = tag.step === 0 ? 0 : 1;
  c.vars[step].push(varDim(own.id));
  c.sites[step].push(site.name);
  c.plates.push(ordinalOf(site));
}
