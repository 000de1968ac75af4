/**
 * Take the factors of each vectorizedMarkov chain out of the collected terms:
 * step 0's factors (on the state at t = 0) and step 1's (on the states at
 * t-1 and t, stacked along the time axis) become one TimeChainProblem that
 * contract/time-chain.ts eliminates with the ring's chain operation (one
 * kernel pass) as one more input of the plan (`planFactors`); everything
 * else stays as it is. Only structure and checks here, no arithmetic.
 */
import { PPLModelError } from "ppl-core";
import type { Dim, PlacedFactor } from "../contract/factor.js";
import { type TimeChainShape, timeChainFactor } from "../contract/time-chain.js";
import type { CollectedTerms, TimeChainSites } from "./collect.js";

export interface TimeChainProblem extends TimeChainShape {
  readonly name: string;
}

export interface SeparatedTerms {
  readonly factors: PlacedFactor[];
  readonly sumDims: Set<Dim>;
  readonly chains: TimeChainProblem[];
}

export function separateTimeChains(terms: CollectedTerms): SeparatedTerms {
  if (terms.timeChains.size === 0) return { factors: terms.factors, sumDims: terms.sumDims, chains: [] };
  const chains: TimeChainProblem[] = [];
  const taken = new Set<number>();
  const sumDims = new Set(terms.sumDims);
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
    for (const i of members) {
      for (const d of terms.factors[i]!.factor.dims) if (d.startsWith("v") && !own.has(d)) outer.add(d);
      taken.add(i);
    }
    for (const d of own) sumDims.delete(d);
    chains.push({
      name: sites.name,
      time: sites.time,
      steps: sites.steps,
      prev,
      curr,
      batch: [...[...outer].sort(), ...plates],
      plates,
      init: members.filter((i) => terms.factorChains[i]!.step === 0).map((i) => terms.factors[i]!.factor),
      step: members.filter((i) => terms.factorChains[i]!.step > 0).map((i) => terms.factors[i]!.factor),
    });
  }
  return { factors: terms.factors.filter((_, i) => !taken.has(i)), sumDims, chains };
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

/**
 * The factors the plan contracts: the terms' factors outside every
 * vectorizedMarkov chain, and each chain as one more factor over its batch
 * (its enumerated outer variables and plates), which the plan's ring
 * eliminates in one chain-kernel pass.
 */
export function planFactors(terms: CollectedTerms, sizes: ReadonlyMap<Dim, number>): { factors: PlacedFactor[]; sumDims: Set<Dim> } {
  const { factors, sumDims, chains } = separateTimeChains(terms);
  for (const c of chains) factors.push({ factor: timeChainFactor(c, sizes), ordinal: c.plates });
  return { factors, sumDims };
}
