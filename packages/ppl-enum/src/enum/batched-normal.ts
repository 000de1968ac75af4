/**
 * The Normal sites that share their loc and scale tensors (a markov chain's
 * emissions: every step of one parity indexes the same memoised locs[z]) get
 * their log-densities from ONE fused op on their stacked values, squeezed
 * to the dims of size > 1, one row per site (made only if read). One op, one
 * read of loc and scale and one gradient for them, instead of one per step
 * and a sum of as many gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { broadcastShapes, distributions, normalLogProb } from "ppl-core";
import type { SampleSite, Trace } from "ppl-core";
import { LazyRows } from "../contract/rows.js";

export interface BatchedLogProb {
  /** The site's full log-prob shape. */
  readonly shape: readonly number[];
  /** Its log-prob with the size-1 dims dropped is row `row` of `rows`. */
  readonly rows: LazyRows;
  readonly row: number;
}

interface NormalSite {
  readonly site: SampleSite;
  readonly normal: distributions.Normal;
  readonly shape: number[];
}

/** The site's Normal and log-prob shape, when the fused path applies (exact class, float32 value, no mask). */
export function fusedNormal(site: SampleSite): NormalSite | undefined {
  let fn: distributions.Distribution = site.fn;
  while (fn instanceof distributions.Expanded) fn = fn.base;
  if (fn.constructor !== distributions.Normal || site.value.dtype !== "float32") return undefined;
  const normal = fn as distributions.Normal;
  const shape = broadcastShapes([site.value.shape, normal.loc.shape, normal.scale.shape, site.fn.batchShape], "Normal value and batch shapes");
  return { site, normal, shape };
}

export function batchedNormalLogProbs(trace: Trace): Map<string, BatchedLogProb> {
  const groups = new Map<tf.Tensor, Map<tf.Tensor, Map<string, NormalSite[]>>>();
  for (const site of trace.sampleSites()) {
    if (site.role !== "sample" || site.mask !== true) continue;
    let n: NormalSite | undefined;
    try {
      n = fusedNormal(site);
    } catch {
      // a shape error: left to the per-site path, which reports it with the site's name
      continue;
    }
    if (n === undefined) continue;
    let byScale = groups.get(n.normal.loc);
    if (byScale === undefined) groups.set(n.normal.loc, (byScale = new Map()));
    let byShape = byScale.get(n.normal.scale);
    if (byShape === undefined) byScale.set(n.normal.scale, (byShape = new Map()));
    const key = `${site.value.shape.join(",")}|${n.shape.join(",")}`;
    let list = byShape.get(key);
    if (list === undefined) byShape.set(key, (list = []));
    list.push(n);
  }
  const out = new Map<string, BatchedLogProb>();
  for (const byScale of groups.values()) {
    for (const byShape of byScale.values()) {
      for (const list of byShape.values()) if (list.length > 1) batch(list, out);
    }
  }
  return out;
}

function batch(list: readonly NormalSite[], out: Map<string, BatchedLogProb>): void {
  const { normal, shape } = list[0]!;
  const n = list.length;
  const valueShape = list[0]!.site.value.shape;
  // stack, then pad the value to the full rank so the site axis stays leftmost under broadcasting
  const padded = [n, ...new Array<number>(shape.length - valueShape.length).fill(1), ...valueShape];
  const values = list.every((s) => s.site.isObserved) ? stackData(list.map((s) => s.site.value), padded) : tf.stack(list.map((s) => s.site.value)).reshape(padded);
  const sizes = shape.filter((s) => s !== 1);
  const lp = normalLogProb(values, normal.loc, normal.scale, [n, ...shape]).reshape([n, ...sizes]);
  const rows = new LazyRows(lp);
  list.forEach((s, row) => out.set(s.site.name, { shape, rows, row }));
}

/** Observed values need no gradient: copy them into one tensor in JS, outside the tape (tf.stack would keep a copy of each for its backward pass). */
function stackData(values: readonly tf.Tensor[], shape: readonly number[]): tf.Tensor {
  const size = values[0]!.size;
  const data = new Float32Array(size * values.length);
  values.forEach((v, i) => data.set(v.dataSync(), i * size));
  return tf.tensor(data, [...shape]);
}
