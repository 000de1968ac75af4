/**
 * Sequential enumeration in the model: the model ran once per joint value of
 * its sequential sites, and each run's terms were collected. Stacking the runs
 * along one new dim per sequential site gives the terms of a model that
 * enumerates those sites in parallel, so the one contraction sums them out
 * (per plate member, as parallel enumeration does). A cost that is the same in
 * every run does not depend on them and stays a cost.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLModelError } from "ppl-core";
import type { Dim, Factor, PlacedFactor } from "../contract/factor.js";
import { type TimeChain, timeChainKey } from "../contract/time-chain-plan.js";
import type { FactorChain } from "./chain-sites.js";
import type { CollectedTerms, CostTerm } from "./collect.js";
import { CommonScale } from "./common-scale.js";

export interface SequentialModelRun {
  readonly terms: CollectedTerms;
  /** The value index each sequential site took in this run, and each one's support size. */
  readonly assignment: ReadonlyMap<string, number>;
  readonly totals: ReadonlyMap<string, number>;
}

export const sequentialDim = (site: string): Dim => `s:${site}`;

export function stackSequentialRuns(runs: readonly SequentialModelRun[]): CollectedTerms {
  const first = runs[0]!;
  const sites = [...first.totals];
  const count = sites.reduce((n, [, k]) => n * k, 1);
  const byIndex = new Array<CollectedTerms | undefined>(count);
  for (const run of runs) {
    if (run.totals.size !== sites.length || sites.some(([s, k]) => run.totals.get(s) !== k)) throw structureError(sites.map(([s]) => s));
    let r = 0;
    for (const [s, k] of sites) r = r * k + run.assignment.get(s)!;
    byIndex[r] = run.terms;
  }
  if (byIndex.some((t) => t === undefined) || runs.length !== count) throw structureError(sites.map(([s]) => s));
  const all = byIndex as CollectedTerms[];
  const names = sites.map(([s]) => s);
  const seqDims = names.map(sequentialDim);
  const seqSizes = sites.map(([, k]) => k);
  for (const t of all) {
    if (t.timeChains.size > 0) {
      throw new PPLModelError(
        `sequential enumeration of ${names.map((s) => `'${s}'`).join(", ")} cannot be combined with vectorizedMarkov chains. ` +
          'Fix: enumerate those sites with infer.enumerate = "parallel"',
        { site: names[0] },
      );
    }
    if (t.factors.length !== first.terms.factors.length || t.costs.length !== first.terms.costs.length) throw structureError(names);
    if (t.loops.length !== first.terms.loops.length || t.loops.some((l, k) => timeChainKey(l) !== timeChainKey(first.terms.loops[k]!))) {
      throw structureError(names);
    }
  }

  // a term gets the dim of each sequential site it really varies with, and no other: an extra dim
  // would tie the site to the term's plates (a global term would make a site in a plate global)
  const stack = (ts: readonly tf.Tensor[], shape: readonly number[], dims: readonly Dim[]): Factor | undefined => {
    if (ts.every((x) => x === ts[0] || sameValues(x, ts[0]!))) return undefined;
    const stacked = tf.stack([...ts]).reshape([...seqSizes, ...shape]);
    const values = stacked.dataSync();
    const varies = seqSizes.map((_, k) => variesAlong(values, seqSizes, shape, k));
    const begin = stacked.shape.map(() => 0);
    const size = stacked.shape.map((n, i) => (i < seqSizes.length && !varies[i] ? 1 : n));
    const kept = tf.slice(stacked, begin, size).reshape([...seqSizes.filter((_, k) => varies[k]), ...shape]);
    return { data: kept, dims: [...seqDims.filter((_, k) => varies[k]), ...dims] };
  };
  const factors: PlacedFactor[] = [];
  const factorSites: string[] = [...first.terms.factorSites];
  const factorChains: (FactorChain | undefined)[] = [...first.terms.factorChains];
  const scale = new CommonScale();
  if (first.terms.factors.length > 0) scale.add(first.terms.factorSites[0]!, first.terms.scale);
  first.terms.factors.forEach((f, j) => {
    const data = all.map((t) => t.factors[j]!.factor.data);
    const shape = data[0]!.shape;
    if (all.some((t) => t.factorSites[j] !== factorSites[j] || !sameDims(t.factors[j]!.factor.dims, f.factor.dims))) throw structureError(names);
    const stacked = stack(data, shape, f.factor.dims);
    factors.push(stacked === undefined ? f : { factor: stacked, ordinal: f.ordinal });
  });
  const costs: CostTerm[] = [];
  first.terms.costs.forEach((c, j) => {
    const each = all.map((t) => t.costs[j]!);
    if (each.some((e) => e.site !== c.site || !sameDims(e.dims, c.dims))) throw structureError(names);
    const stacked = stack(each.map((e) => e.unscaled.reshape([...e.sizes])), c.sizes, c.dims);
    if (stacked === undefined) {
      costs.push(c);
      return;
    }
    // it depends on a sequential site: a factor of the contraction, its scale the common one
    scale.add(c.site, c.scale);
    factors.push({ factor: stacked, ordinal: c.ordinal });
    factorSites.push(c.site);
    factorChains.push(undefined);
  });

  // a loop runs once per value of the sequential dims its factors now vary along: they join its batch, as a global enumerated outside it does
  const loops = first.terms.loops.map((l): TimeChain => {
    const seq = new Set([...l.init, ...l.step, ...l.every].flatMap((i) => factors[i]!.factor.dims.filter((d) => seqDims.includes(d))));
    return seq.size === 0 ? l : { ...l, batch: [...seqDims.filter((d) => seq.has(d)), ...l.batch] };
  });
  const varSizes = new Map(first.terms.varSizes);
  seqDims.forEach((d, i) => varSizes.set(d, seqSizes[i]!));
  const sumDims = new Set([...first.terms.sumDims, ...seqDims]);
  const label = (d: Dim) => {
    const i = seqDims.indexOf(d);
    return i >= 0 ? `'${names[i]}' (sequential)` : first.terms.label(d);
  };
  return { ...first.terms, factors, factorSites, factorChains, costs, sumDims, varSizes, label, scale: scale.value, loops };
}

function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Whether `data` (row-major over seqSizes ++ shape) changes along sequential axis k. */
function variesAlong(data: ArrayLike<number>, seqSizes: readonly number[], shape: readonly number[], k: number): boolean {
  const inner = [...seqSizes.slice(k + 1), ...shape].reduce((a, b) => a * b, 1);
  const n = seqSizes[k]!;
  const outer = data.length / (inner * n);
  for (let o = 0; o < outer; o++) {
    for (let v = 1; v < n; v++) {
      for (let i = 0; i < inner; i++) {
        const a = data[(o * n) * inner + i]!;
        const b = data[(o * n + v) * inner + i]!;
        if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return true;
      }
    }
  }
  return false;
}

function sameValues(a: tf.Tensor, b: tf.Tensor): boolean {
  if (a === b) return true;
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function structureError(sites: readonly string[]): PPLModelError {
  return new PPLModelError(
    `the model's sites or their shapes change with the value of its sequentially enumerated site(s) ${sites.map((s) => `'${s}'`).join(", ")}: ` +
      "sequential enumeration in the model needs the same sites, in the same order and with the same dims, for every value. " +
      'Fix: keep the model\'s structure fixed, or enumerate the site in the guide (infer.enumerate = "sequential" there)',
    { site: sites[0] },
  );
}
