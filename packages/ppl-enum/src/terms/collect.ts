/**
 * The walk from an enumerated trace to the terms of the ELBO or of a decode:
 * each site's log-density, named by the dims it varies along (dims.ts),
 * becomes a factor of the contraction when it depends on a model-enumerated
 * variable (all of them sharing one scale: common-scale.ts), and a cost to
 * be summed otherwise; a guide's enumerated sites give the expectation's
 * weights; vectorizedMarkov chains are noted for the plan (chain-sites.ts).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { scaleAndMask, stepCached } from "ppl-core/internal";
import type { Trace } from "ppl-core";
import type { Dim, Factor, PlacedFactor } from "../contract/factor.js";
import { rowFactor } from "../contract/rows.js";
import { batchedLogProbs } from "./batched-log-probs.js";
import { type FactorChain, type TimeChainSites, noteChainVar } from "./chain-sites.js";
import { CommonScale } from "./common-scale.js";
import { TraceDims, ordinalOf } from "./dims.js";
import { type CollectPurpose, enumeratedBy, siteLogProb } from "./site-log-prob.js";

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
  /** The size of every enumerated variable's dim. */
  readonly varSizes: Map<Dim, number>;
}

/**
 * Reads the trace alone: each site's `enumScope` (written by the enumeration
 * handler) names its enumerated dims, its `enumInfo` says how it is itself
 * enumerated. A sequentially enumerated site (fixed to one value in this run)
 * is treated like a parallel one: in a model trace its own log-prob is not
 * masked in the ELBO; in a guide trace its log q weighs the expectation.
 */
export function collectTerms(trace: Trace, purpose: CollectPurpose): CollectedTerms {
  const includeCosts = purpose === "elbo";
  const factors: PlacedFactor[] = [];
  const factorSites: string[] = [];
  const sumDims = new Set<Dim>();
  const costs: CostTerm[] = [];
  const guideWeights: CostTerm[] = [];
  const factorChains: (FactorChain | undefined)[] = [];
  const timeChains = new Map<object, TimeChainSites>();
  const named = new TraceDims(trace);
  const commonScale = new CommonScale();
  // a markov chain's emissions of one parity are scored as one batch, and each reaches the plan as a row of it
  const batched = batchedLogProbs(trace);

  for (const site of trace.sampleSites()) {
    if (site.role === "deterministic") continue;
    const tag = site.markov.find((m) => m.time !== undefined);
    if (site.enumInfo?.kind === "parallel") {
      const own = site.enumInfo.variable;
      named.variable(own);
      if (tag !== undefined) noteChainVar(timeChains, tag, site, own);
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
        const unscaled = own?.lp ?? pre!.rows.get(pre!.row);
        costs.push({ data: scaleAndMask(unscaled, site.scale, true), site: site.name, scale: site.scale, unscaled, dims, sizes, ordinal });
      }
      continue;
    }
    commonScale.add(site.name, site.scale);
    for (const d of dims) if (d.startsWith("v") && !named.guideDims.has(d)) sumDims.add(d);
    factors.push({ factor: pre === undefined ? squeezedFactor(own!.lp, dims, sizes) : rowFactor(pre.rows, pre.row, dims, sizes), ordinal });
    factorSites.push(site.name);
    factorChains.push(tag === undefined ? undefined : { chain: tag.chain, step: tag.step });
  }
  return {
    factors, factorSites, sumDims, costs, guideWeights, scale: commonScale.value, plateSizes: named.plateSizes, label: named.label,
    factorChains, timeChains, varSizes: named.varSizes,
  };
}

/** Sites of one markov parity share their log-prob tensor (step-cached vindex): squeeze it once a call, so the chain sees one tensor. */
function squeezedFactor(lp: tf.Tensor, dims: Dim[], sizes: number[]): Factor {
  return { data: sizes.length === lp.rank ? lp : stepCached([lp], `squeezed:${sizes.join(",")}`, () => lp.reshape(sizes)), dims };
}
