/**
 * The plan's inputs from the collected terms: every factor, the markov
 * loops the walk stacked along time, and for each vectorizedMarkov chain
 * which of them are its step-0 factors (on the state
 * at t = 0) and its step-1 factors (on the states at t-1 and t, stacked along
 * the time axis), a TimeChain the plan eliminates with one step of the ring's
 * chain operation (contract/time-chain-plan.ts). The chain's own state
 * variables leave the plan's sum dims: that step sums them. Only structure
 * and checks here, no arithmetic.
 */
import { PPLModelError } from "ppl-core";
import type { Dim, PlacedFactor } from "../contract/factor.js";
import type { TimeChain } from "../contract/time-chain-plan.js";
import type { TimeChainSites } from "./chain-sites.js";
import type { CollectedTerms } from "./collect.js";

export interface PlanInputs {
  readonly factors: readonly PlacedFactor[];
  readonly sumDims: ReadonlySet<Dim>;
  readonly chains: readonly TimeChain[];
}

export function planInputs(terms: CollectedTerms): PlanInputs {
  if (terms.timeChains.size === 0 && terms.loops.length === 0) return { factors: terms.factors, sumDims: terms.sumDims, chains: [] };
  const chains: TimeChain[] = [...terms.loops];
  const sumDims = new Set(terms.sumDims);
  // a markov loop's state variables are its own: its plan step sums them
  for (const c of terms.loops) for (const d of [...c.prev, ...c.curr]) sumDims.delete(d);
  for (const [key, sites] of terms.timeChains) {
    const members = terms.factors.flatMap((_, i) => (terms.factorChains[i]?.chain === key ? [i] : []));
    // T = 1: no time axis, step 0 is an ordinary step for the plan
    if (!members.some((i) => terms.factorChains[i]!.step > 0) && sites.vars[1].length === 0) continue;
    checkPairing(sites, terms.varSizes);
    const [prev, curr] = sites.vars;
    // sites outside the chain cannot use its states: markov scoping keeps them out of scope there
    const own = new Set([...prev, ...curr]);
    const plates = chainPlates(sites);
    const outer = new Set<Dim>();
    for (const i of members) for (const d of terms.factors[i]!.factor.dims) if (d.startsWith("v") && !own.has(d)) outer.add(d);
    for (const d of own) sumDims.delete(d);
    chains.push({
      time: sites.time,
      steps: sites.steps,
      prev,
      curr,
      stateSizes: prev.map((d) => terms.varSizes.get(d)!),
      batch: [...[...outer].sort(), ...plates],
      plates,
      init: members.filter((i) => terms.factorChains[i]!.step === 0),
      step: members.filter((i) => terms.factorChains[i]!.step > 0),
      every: [],
    });
  }
  return { factors: terms.factors, sumDims, chains };
}

/** Step 1 must enumerate the same variables, in the same order and sizes, as step 0: they are the same state one step later. */
function checkPairing(sites: TimeChainSites, sizes: ReadonlyMap<Dim, number>): void {
  const [s0, s1] = sites.sites;
  const [v0, v1] = sites.vars;
  const same = v0.length === v1.length && v0.every((d, i) => sizes.get(d) === sizes.get(v1[i]!));
  if (same) return;
  const describe = (names: string[], vars: Dim[]) => names.map((n, i) => `'${n}' (size ${sizes.get(vars[i]!)})`).join(", ") || "none";
  throw new PPLModelError(
    `vectorizedMarkov('${sites.name}'): step 0 enumerates ${describe(s0, v0)} but the vectorised steps enumerate ${describe(s1, v1)}. ` +
      "The body must enumerate the same discrete sites, in the same order and with the same sizes, at every step " +
      "(they are the chain's state at t-1 and at t). Fix: make the body's enumerated sites independent of t",
    { expected: describe(s0, v0), actual: describe(s1, v1) },
  );
}

/** Every enumerated site of the chain must sit in the same plates: the chain runs once per member of them. */
function chainPlates(sites: TimeChainSites): Dim[] {
  const first = sites.plates[0] ?? [];
  const key = (ps: readonly Dim[]) => [...ps].sort().join(",");
  const all = [...sites.sites[0], ...sites.sites[1]];
  sites.plates.forEach((ps, i) => {
    if (key(ps) === key(first)) return;
    throw new PPLModelError(
      `vectorizedMarkov('${sites.name}'): enumerated sites '${all[0]}' and '${all[i]}' sit in different plates ` +
        `(${first.join(", ") || "none"} vs ${ps.join(", ") || "none"}); every state variable of one chain must share its plates`,
      { site: all[i], expected: first.join(", ") || "no plates", actual: ps.join(", ") || "no plates" },
    );
  });
  return [...first].sort();
}
