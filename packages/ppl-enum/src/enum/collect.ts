/**
 * From an enumerated model trace to named log-factors: each site's log-prob
 * is packed to the enumerated variables and plates it really varies along
 * (size-1 dims dropped), reading positional dims through the site's own
 * dim -> id map, so recycled dims never get confused.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { PPLModelError, PPLShapeError } from "ppl-core";
import {
  type EnumVariable, type MarkovTag, formatFrame, formatShape, isVectorizedFrame, logProbError, scaleAndMask, stepCached,
} from "ppl-core/internal";
import type { PlateFrame, SampleSite, Trace } from "ppl-core";
import type { Dim, Factor, PlacedFactor } from "../contract/factor.js";
import { rowFactor } from "../contract/rows.js";
import { batchedLogProbs } from "./batched-log-probs.js";

// Dim names are interned: every site of every step names the same few dims (a markov loop's 240 sites a step)
const varDims: Dim[] = [];
export const varDim = (id: number): Dim => (varDims[id] ??= `v${id}`);
const noScope: ReadonlyMap<number, EnumVariable> = new Map();

const plateDims = new Map<string, Dim>();
export const plateDim = (name: string): Dim => {
  let d = plateDims.get(name);
  if (d === undefined) plateDims.set(name, (d = `p:${name}`));
  return d;
};
export const timeDim = (name: string): Dim => `t:${name}`;

/** What collectTerms saw of one vectorizedMarkov chain. */
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

/** A factor's place in a vectorizedMarkov chain. */
export interface FactorChain {
  readonly chain: object;
  readonly step: number;
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
 * `purpose`: "elbo" keeps the costs and, as Pyro's TraceEnum_ELBO, leaves an
 * enumerated site's own log-prob unmasked; "decode" drops the costs and masks
 * every site, as Pyro's infer_discrete scores a trace.
 */
export type CollectPurpose = "elbo" | "decode";

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
  // the guide's enumerated variables that some term carries: not summed by the model's contraction
  const guideDims = new Set<Dim>();
  const guideWeights: CostTerm[] = [];
  const plateSizes = new Map<Dim, number>();
  const names = new Map<Dim, string>();
  const factorChains: (FactorChain | undefined)[] = [];
  const timeChains = new Map<object, TimeChainSites>();
  const varSizes = new Map<Dim, number>();
  const commonScale = new CommonScale();
  const batched = batchedLogProbs(trace);

  // positional dims -> named dims (plates, enumerated variables in the site's scope), size-1 dims dropped
  const named = (site: SampleSite, shape: readonly number[]) => {
    const scope = site.enumScope?.dimToVar ?? noScope;
    const dims: Dim[] = [];
    const sizes: number[] = [];
    let dependsOnEnum = false;
    for (let i = 0; i < shape.length; i++) {
      const size = shape[i]!;
      if (size === 1) continue;
      const d = i - shape.length;
      const frame = site.condIndepStack.find((f) => f.dim === d);
      if (frame !== undefined) {
        if (size !== frame.subsampleSize) throw unknownDimError(trace, site, shape, d, scope);
        const pd = frame.time === true ? timeDim(frame.name) : plateDim(frame.name);
        if (frame.time !== true) {
          plateSizes.set(pd, size);
          if (!names.has(pd)) names.set(pd, `plate '${frame.name}'`);
        }
        dims.push(pd);
      } else {
        const v = scope.get(d);
        if (v === undefined || v.size !== size) throw unknownDimError(trace, site, shape, d, scope);
        const vd = varDim(v.id);
        if (!names.has(vd)) names.set(vd, `'${v.name}'`);
        dims.push(vd);
        varSizes.set(vd, v.size);
        if (v.side === "guide") guideDims.add(vd);
        else dependsOnEnum = true;
      }
      sizes.push(size);
    }
    return { dims, sizes, dependsOnEnum };
  };

  for (const site of trace.sampleSites()) {
    if (site.role === "deterministic") continue;
    const tag = site.markov.find((m) => m.time !== undefined);
    const own = site.enumInfo?.kind === "parallel" ? site.enumInfo.variable : undefined;
    if (own !== undefined) {
      varSizes.set(varDim(own.id), own.size);
      if (tag !== undefined) noteChainVar(timeChains, tag, site, own);
    }
    const pre = batched.get(site.name);
    // a batched site's log-prob is a row of its batch (squeezed, masked): only its full shape is read here.
    // Pyro's ELBO semantics: an enumerated site's own log-prob is not masked (it stays normalised over its
    // support, so a masked one adds no log K; decoding masks it, as infer_discrete does); every other site
    // is masked before its dims are read, since a mask may broadcast the log-prob up to plate dims it lacked.
    // At its own (tagged) support a distribution may leave out plate dims it is constant along: the
    // contraction treats a missing dim as constant.
    const raw = pre === undefined ? logProbOf(site) : undefined;
    const side = own?.side ?? (site.enumInfo?.kind === "sequential" ? site.enumScope?.side : undefined);
    const lp = raw === undefined || (includeCosts && side === "model") ? raw : scaleAndMask(raw, 1, site.mask);
    const shape = pre?.shape ?? lp!.shape;
    const { dims, sizes, dependsOnEnum } = named(site, shape);
    if (side === "guide") {
      // the guide's own enumerated (or sequential) site: its normalised log q weighs the expectation (unscaled, unmasked)
      const w = named(site, raw!.shape);
      guideWeights.push({ data: raw!, site: site.name, scale: 1, unscaled: raw!, dims: w.dims, sizes: w.sizes, ordinal: ordinalOf(site) });
    }
    const ordinal = ordinalOf(site);
    for (const f of site.condIndepStack) {
      if (!isVectorizedFrame(f) || f.time === true) continue;
      const pd = plateDim(f.name);
      plateSizes.set(pd, f.subsampleSize);
      if (!names.has(pd)) names.set(pd, `plate '${f.name}'`);
    }
    if (!dependsOnEnum) {
      if (includeCosts) {
        const unscaled = lp ?? pre!.rows.get(pre!.row);
        costs.push({ data: scaleAndMask(unscaled, site.scale, true), site: site.name, scale: site.scale, unscaled, dims, sizes, ordinal });
      }
      continue;
    }
    commonScale.add(site.name, site.scale);
    for (const d of dims) if (d.startsWith("v") && !guideDims.has(d)) sumDims.add(d);
    const factor = pre === undefined ? squeezedFactor(lp!, dims, sizes) : rowFactor(pre.rows, pre.row, dims, sizes);
    factors.push({ factor, ordinal });
    factorSites.push(site.name);
    factorChains.push(tag === undefined ? undefined : { chain: tag.chain, step: tag.step });
  }
  return {
    factors, factorSites, sumDims, costs, guideWeights, scale: commonScale.value, plateSizes, label: (d) => names.get(d) ?? d,
    factorChains, timeChains, varSizes,
  };
}

/** The site's vectorised plates (a sequential plate's iterations have no dim: Pyro leaves them out of ordinals too). */
export const vectorizedFrames = (site: SampleSite): PlateFrame[] => site.condIndepStack.filter(isVectorizedFrame);

/** The one scale that every site depending on an enumerated variable must share (Pyro takes it outside the log-sum-exp). */
export class CommonScale {
  private scale: number | undefined;
  private site = "";

  get value(): number {
    return this.scale ?? 1;
  }

  add(site: string, scale: number | tf.Tensor): void {
    if (typeof scale !== "number") {
      throw new PPLModelError(
        `at site '${site}': a tensor scale on a site that depends on enumerated variables is not supported ` +
          "(the scale must be taken outside the log-sum-exp). Fix: use a number for scale(...)",
        { site, expected: "a number", actual: `a tensor of shape ${formatShape(scale.shape)}` },
      );
    }
    if (this.scale === undefined) {
      this.scale = scale;
      this.site = site;
    } else if (Math.abs(this.scale - scale) > 1e-12 * Math.abs(this.scale)) {
      throw new PPLModelError(
        `all sites that depend on enumerated variables must share one scale, but '${this.site}' has ${this.scale} ` +
          `and '${site}' has ${scale}. Fix: apply the same scale(...) (or subsampling) to all of them`,
        { site, expected: String(this.scale), actual: String(scale) },
      );
    }
  }
}

/** The plates a site sits in, by name (vectorizedMarkov time axes excluded). */
export const ordinalOf = (site: SampleSite): Dim[] => vectorizedFrames(site).filter((f) => f.time !== true).map((f) => plateDim(f.name));

/** Sites of one markov parity share their log-prob tensor (step-cached vindex): squeeze it once a call, so the chain sees one tensor. */
function squeezedFactor(lp: tf.Tensor, dims: Dim[], sizes: number[]): Factor {
  return { data: sizes.length === lp.rank ? lp : stepCached([lp], `squeezed:${sizes.join(",")}`, () => lp.reshape(sizes)), dims };
}

function noteChainVar(chains: Map<object, TimeChainSites>, tag: MarkovTag, site: SampleSite, own: EnumVariable): void {
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

function logProbOf(site: SampleSite): tf.Tensor {
  try {
    return site.fn.logProb(site.value);
  } catch (err) {
    throw logProbError(site, err);
  }
}

function unknownDimError(
  trace: Trace,
  site: SampleSite,
  shape: readonly number[],
  dim: number,
  scope: ReadonlyMap<number, EnumVariable>,
): PPLShapeError {
  const plates = site.condIndepStack.map((f) => `${formatFrame(f)} (size ${f.subsampleSize})`).join(", ") || "none";
  const vars = [...scope].map(([d, v]) => `${v.name}@${d} (size ${v.size})`).join(", ") || "none";
  return new PPLShapeError(
    `at site '${site.name}': invalid log-prob shape ${formatShape(shape)}: dim ${dim} has size ${shape[shape.length + dim]}, ` +
      `but it is neither a plate of this site (plates: ${plates}) nor an enumerated variable in scope (${vars}).\n` +
      "Try one of the following fixes:\n" +
      `- enclose the batched tensor in a plate(...) at dim ${dim}\n` +
      "- .toEvent(...) the distribution being sampled\n" +
      "- if this site uses an enumerated variable from an earlier markov step, increase markov history\n" +
      `Trace shapes:\n${trace.formatShapes()}`,
    { site: site.name, expected: "size 1, a plate's size, or an in-scope enumerated variable at every dim", actual: formatShape(shape) },
  );
}
