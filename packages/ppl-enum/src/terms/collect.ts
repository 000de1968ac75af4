/**
 * The walk from an enumerated trace to the terms of the ELBO or of a decode:
 * each site's log-density, named by the dims it varies along (dims.ts),
 * becomes a factor of the contraction when it depends on a model-enumerated
 * variable (all of them sharing one scale: common-scale.ts), and a cost to
 * be summed otherwise; a guide's enumerated sites give the expectation's
 * weights; vectorizedMarkov chains are noted for the plan (chain-sites.ts),
 * and a markov loop that is a first-order chain reaches it stacked along
 * time, as one (markov-loops.ts, loop-factors.ts).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { scaleAndMask, stepCached } from "ppl-core/internal";
import type { SampleSite, Trace } from "ppl-core";
import type { Dim, PlacedFactor } from "../contract/factor.js";
import type { TimeChain } from "../contract/time-chain-plan.js";
import { batchedLogProbs } from "./batched-log-probs.js";
import { type FactorChain, type TimeChainSites, noteChainVar } from "./chain-sites.js";
import { CommonScale } from "./common-scale.js";
import { TraceDims, ordinalOf } from "./dims.js";
import { type FactorShape, type LoopPlace, type LoopVar, findLoopChains } from "./markov-loops.js";
import { loopTimeChains } from "./loop-factors.js";
import { type CollectPurpose, enumeratedBy, siteLogProb } from "./site-log-prob.js";
import { BatchRows, type LogProbSource } from "./stack-steps.js";

/**
 * A cost: a full-shape log-density (scaled and masked) and the named dims of
 * size > 1 it has (plates, and guide-enumerated variables when the guide
 * enumerates), for an expectation under the guide.
 */
export interface CostTerm {
  readonly data: tf.Tensor;
  /** The site it came from, its scale, and its log-density before that scale. */
  readonly site: string;
  readonly scale: number | tf.Tensor;
  readonly unscaled: tf.Tensor;
  readonly dims: readonly Dim[];
  readonly sizes: readonly number[];
  readonly ordinal: readonly Dim[];
}

export interface CollectedTerms {
  readonly factors: PlacedFactor[];
  /** The site each factor came from. */
  readonly factorSites: string[];
  /** Every enumerated variable mentioned by a factor. */
  readonly sumDims: Set<Dim>;
  /** Sites that depend on no model-enumerated variable: their scaled and masked log-densities (to be summed). */
  readonly costs: CostTerm[];
  /** In a guide trace: each enumerated site's normalised log q over its support (the expectation's weights). */
  readonly guideWeights: CostTerm[];
  /** The one scale every enumeration-dependent site shares (taken outside the log-sum-exp). */
  readonly scale: number;
  readonly plateSizes: Map<Dim, number>;
  readonly label: (d: Dim) => string;
  /** Per factor: the vectorizedMarkov chain and step it belongs to, if any. */
  readonly factorChains: (FactorChain | undefined)[];
  readonly timeChains: Map<object, TimeChainSites>;
  /** Markov loops stacked along time: plan steps over `factors` (their indices), as complete as the plan wants them. */
  readonly loops: readonly TimeChain[];
  /** The size of every enumerated variable's dim. */
  readonly varSizes: Map<Dim, number>;
}

/**
 * Reads the trace alone: each site's `enumScope` (written by the enumeration
 * handler) names its enumerated dims, its `enumInfo` says how it is itself
 * enumerated. A sequentially enumerated site (fixed to one value in this run)
 * is treated like a parallel one: in a model trace its own log-prob is not
 * masked in the ELBO; in a guide trace its log q weighs the expectation.
 * `fuseLoops` (default true) stacks first-order markov loops along time (a
 * model that enumerates sequentially is run once per value, and stack-runs.ts
 * stacks those runs' terms, loops included, along the sequential dims). `extra` factors
 * join the walk as if their site had them too (computeMarginals' offsets:
 * in a loop, they stack with its step).
 */
export function collectTerms(trace: Trace, purpose: CollectPurpose, fuseLoops = true, extra: readonly ExtraFactor[] = []): CollectedTerms {
  const includeCosts = purpose === "elbo";
  const pending: (FactorShape & { source: LogProbSource; site: string; chain: FactorChain | undefined })[] = [];
  const costs: CostTerm[] = [];
  const guideWeights: CostTerm[] = [];
  const timeChains = new Map<object, TimeChainSites>();
  const named = new TraceDims(trace);
  const commonScale = new CommonScale();
  const loopVars = new Map<Dim, LoopVar>();
  const loopCounts = new Map<object, number[]>();
  // a markov chain's emissions of one parity are scored as one batch: each site's log-density is a row of it
  const batched = batchedLogProbs(trace);
  const rows = new BatchRows();

  for (const site of trace.sampleSites()) {
    if (site.role === "deterministic") continue;
    const tag = site.markov.find((m) => m.time !== undefined);
    const loop = loopOf(site);
    const chain = timeChainOf(site);
    if (site.enumInfo?.kind === "parallel") {
      const own = site.enumInfo.variable;
      const d = named.variable(own);
      if (tag !== undefined) noteChainVar(timeChains, tag, site, own);
      if (loop !== undefined && own.side === "model") {
        let counts = loopCounts.get(loop.chain);
        if (counts === undefined) loopCounts.set(loop.chain, (counts = []));
        const index = counts[loop.step] ?? 0;
        counts[loop.step] = index + 1;
        loopVars.set(d, { chain: loop.chain, step: loop.step, index });
      }
    }
    const pre = batched.get(site.name);
    const own = pre === undefined ? siteLogProb(site, purpose) : undefined;
    const { dims, sizes, dependsOnEnum } = named.of(site, pre?.shape ?? own!.lp.shape);
    const ordinal = ordinalOf(site);
    if (enumeratedBy(site) === "guide") {
      // the guide's own enumerated (or sequential) site: its normalised log q weighs the expectation (unscaled, unmasked)
      const w = named.of(site, own!.raw.shape);
      guideWeights.push({ data: own!.raw, site: site.name, scale: 1, unscaled: own!.raw, dims: w.dims, sizes: w.sizes, ordinal });
    }
    named.notePlates(site);
    if (!dependsOnEnum) {
      if (includeCosts) {
        const unscaled = own?.lp ?? rows.tensor(pre!);
        costs.push({ data: scaleAndMask(unscaled, site.scale, true), site: site.name, scale: site.scale, unscaled, dims, sizes, ordinal });
      }
      continue;
    }
    commonScale.add(site.name, site.scale);
    const source: LogProbSource = pre ?? { tensor: squeezed(own!.lp, sizes) };
    pending.push({ dims, sizes, ordinal, loop, source, site: site.name, chain });
  }

  for (const e of extra) {
    pending.push({
      dims: e.dims, sizes: e.data.shape, ordinal: ordinalOf(e.site), loop: loopOf(e.site), source: { tensor: e.data }, site: e.site.name,
      chain: timeChainOf(e.site),
    });
  }
  const isVar = (d: Dim) => d.startsWith("v");
  const found = fuseLoops ? findLoopChains(pending, loopVars, isVar, named.varSizes) : [];
  const { factors, origins, loops } = loopTimeChains(found, pending, rows);
  const factorSites = origins.map((i) => pending[i]!.site);
  const factorChains = origins.map((i) => pending[i]!.chain);
  const sumDims = new Set<Dim>();
  for (const f of factors) for (const d of f.factor.dims) if (isVar(d) && !named.guideDims.has(d)) sumDims.add(d);
  return {
    factors, factorSites, sumDims, costs, guideWeights, scale: commonScale.value, plateSizes: named.plateSizes, label: named.label,
    factorChains, timeChains, loops, varSizes: named.varSizes,
  };
}

/** A factor the caller adds at a site: `data` over `dims` (one name per axis). */
export interface ExtraFactor {
  readonly site: SampleSite;
  readonly dims: readonly Dim[];
  readonly data: tf.Tensor;
}

/** The site's step in a `markov` loop, when it is in exactly one (a nested loop's sites stay per-step factors). */
function loopOf(site: SampleSite): LoopPlace | undefined {
  if (site.markov.length !== 1) return undefined;
  const tag = site.markov[0]!;
  return tag.time === undefined ? { chain: tag.chain, step: tag.step } : undefined;
}

/** The site's vectorizedMarkov chain and step, if any. */
function timeChainOf(site: SampleSite): FactorChain | undefined {
  const tag = site.markov.find((m) => m.time !== undefined);
  return tag === undefined ? undefined : { chain: tag.chain, step: tag.step };
}

/** Sites of one markov parity share their log-prob tensor (step-cached vindex): squeeze it once a call, so the chain sees one tensor. */
function squeezed(lp: tf.Tensor, sizes: number[]): tf.Tensor {
  return sizes.length === lp.rank ? lp : stepCached([lp], `squeezed:${sizes.join(",")}`, () => lp.reshape(sizes));
}
