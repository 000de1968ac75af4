/**
 * Sequential enumeration in the model: the model ran once per joint value of
 * its sequential sites, and each run's terms were collected. Stacking the runs
 * along one new dim per sequential site gives the terms of a model that
 * enumerates those sites in parallel, so the one contraction sums them out
 * (per plate member, as parallel enumeration does). A cost that is the same in
 * every run does not depend on them and stays a cost.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLModelError } from "ppl-core";
import type { Dim, PlacedFactor } from "../contract/factor.js";
import { type CollectedTerms, CommonScale, type CostTerm, type FactorChain } from "./collect.js";

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
  }

  const stack = (ts: readonly tf.Tensor[], shape: readonly number[]) =>
    ts.every((x) => x === ts[0]) ? undefined : tf.stack([...ts]).reshape([...seqSizes, ...shape]);
  const factors: PlacedFactor[] = [];
  const factorSites: string[] = [...first.terms.factorSites];
  const factorChains: (FactorChain | undefined)[] = [...first.terms.factorChains];
  const scale = new CommonScale();
  if (first.terms.factors.length > 0) scale.add(first.terms.factorSites[0]!, first.terms.scale);
  first.terms.factors.forEach((f, j) => {
    const data = all.map((t) => t.factors[j]!.factor.data);
    const shape = data[0]!.shape;
    if (all.some((t) => t.factorSites[j] !== factorSites[j] || !sameDims(t.factors[j]!.factor.dims, f.factor.dims))) throw structureError(names);
    const stacked = stack(data, shape);
    factors.push(stacked === undefined ? f : { factor: { data: stacked, dims: [...seqDims, ...f.factor.dims] }, ordinal: f.ordinal });
  });
  const costs: CostTerm[] = [];
  first.terms.costs.forEach((c, j) => {
    const each = all.map((t) => t.costs[j]!);
    if (each.some((e) => e.site !== c.site || !sameDims(e.dims, c.dims))) throw structureError(names);
    if (each.every((e) => sameValues(e.data, c.data))) {
      costs.push(c);
      return;
    }
    // it depends on a sequential site: a factor of the contraction, its scale the common one
    scale.add(c.site, c.scale);
    const data = tf.stack(each.map((e) => e.unscaled)).reshape([...seqSizes, ...c.sizes]);
    factors.push({ factor: { data, dims: [...seqDims, ...c.dims] }, ordinal: c.ordinal });
    factorSites.push(c.site);
    factorChains.push(undefined);
  });

  const varSizes = new Map(first.terms.varSizes);
  seqDims.forEach((d, i) => varSizes.set(d, seqSizes[i]!));
  const sumDims = new Set([...first.terms.sumDims, ...seqDims]);
  const label = (d: Dim) => {
    const i = seqDims.indexOf(d);
    return i >= 0 ? `'${names[i]}' (sequential)` : first.terms.label(d);
  };
  return { ...first.terms, factors, factorSites, factorChains, costs, sumDims, varSizes, label, scale: scale.value };
}

function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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
