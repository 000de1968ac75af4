/**
 * Starting points from the data: k-means on the pooled (standardised)
 * values, as hmmlearn does, then a few EM iterations of the 1-D Gaussian
 * mixture those clusters start (time ignored: N × K work per iteration)
 * for unbiased means and sds (k-means clusters cut each state's tails off);
 * the mixture's responsibilities give the expected transition and
 * first-state counts (plus one, so every probability is inside the simplex).
 * Restart 0 starts k-means at the quantiles (k + ½)/K, later restarts at
 * k-means++ draws from a seeded generator.
 */
import { hashSeed, makeRng } from "ppl-core";
import type { PlainParams } from "../params.js";

/** 1-D k-means (Lloyd) from the given centres; returns sorted centres and each value's cluster. */
export function kmeans1d(values: Float64Array, start: readonly number[], maxIter = 100): { centres: number[]; labels: Int32Array } {
  const K = start.length;
  let centres = [...start].sort((a, b) => a - b);
  const labels = new Int32Array(values.length);
  for (let iter = 0; iter < maxIter; iter++) {
    const sum = new Float64Array(K);
    const count = new Float64Array(K);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let best = 0;
      let bestD = Infinity;
      for (let k = 0; k < K; k++) {
        const d = Math.abs(v - centres[k]!);
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      }
      labels[i] = best;
      sum[best]! += v;
      count[best]! += 1;
    }
    // an empty cluster keeps its centre
    const next = centres.map((c, k) => (count[k]! > 0 ? sum[k]! / count[k]! : c));
    const moved = next.some((c, k) => Math.abs(c - centres[k]!) > 1e-12);
    centres = next;
    if (!moved) break;
  }
  return { centres, labels };
}

function quantileStart(sorted: Float64Array, K: number): number[] {
  return Array.from({ length: K }, (_, k) => sorted[Math.min(sorted.length - 1, Math.floor(((k + 0.5) / K) * sorted.length))]!);
}

/** k-means++: each next centre drawn with probability ∝ squared distance to the nearest chosen one. */
function plusPlusStart(values: Float64Array, K: number, seed: number): number[] {
  const rng = makeRng(hashSeed("ppl-hmm/kmeans++", seed));
  const centres = [values[Math.floor(rng() * values.length)]!];
  const d2 = new Float64Array(values.length);
  while (centres.length < K) {
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      let m = Infinity;
      for (const c of centres) m = Math.min(m, (values[i]! - c) ** 2);
      d2[i] = m;
      total += m;
    }
    if (total === 0) {
      centres.push(values[Math.floor(rng() * values.length)]!);
      continue;
    }
    let u = rng() * total;
    let pick = values.length - 1;
    for (let i = 0; i < values.length; i++) {
      u -= d2[i]!;
      if (u <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(values[pick]!);
  }
  return centres;
}

/** How a restart's starting point was made (reported in the result). */
export interface InitReport {
  /** e.g. "k-means from quantiles + mixture EM + 5 Baum–Welch iterations" */
  method: string;
  /** In the data's units, sorted by mean. */
  params: PlainParams;
}

/** A restart's k-means clustering of the pooled standardised values (restart 0 from quantiles, later ones k-means++). */
export interface Clusters {
  method: "k-means from quantiles + mixture EM" | "k-means++ + mixture EM";
  all: Float64Array;
  centres: number[];
  labels: Int32Array;
}

export function clustersFor(seqs: readonly Float64Array[], K: number, restart: number, seed: number): Clusters {
  const N = seqs.reduce((a, s) => a + s.length, 0);
  const all = new Float64Array(N);
  let o = 0;
  for (const s of seqs) {
    all.set(s, o);
    o += s.length;
  }
  const sorted = Float64Array.from(all).sort();
  const method = restart === 0 ? "k-means from quantiles + mixture EM" : "k-means++ + mixture EM";
  const { centres, labels } = kmeans1d(all, restart === 0 ? quantileStart(sorted, K) : plusPlusStart(all, K, seed + restart));
  return { method, all, centres, labels };
}

/** Two clusterings that give the same start (everything after k-means is deterministic). */
export function sameClusters(a: Clusters, b: Clusters): boolean {
  return a.centres.every((c, k) => Math.abs(c - b.centres[k]!) <= 1e-12 * Math.max(1, Math.abs(c)));
}

/**
 * A restart's starting point in standardised units from its clusters: `seqs`
 * are the standardised sequences, `sdFloor` the emission sd floor (the
 * returned scales are the model's `scales` site, whose emission sd is
 * √(scale² + floor²)).
 */
export function initFromClusters(seqs: readonly Float64Array[], cl: Clusters, sdFloor: number): PlainParams {
  const K = cl.centres.length;
  const { all, centres, labels } = cl;
  let o = 0;
  const resp = mixtureEm(all, centres, labels, K, sdFloor);
  const scales = resp.sds.map((sd) => Math.max(Math.sqrt(Math.max(sd * sd - sdFloor * sdFloor, 0)), 0.1 * Math.max(sdFloor, 1e-3)));
  const trans = Array.from({ length: K }, () => new Array<number>(K).fill(1));
  const first = new Array<number>(K).fill(1);
  const r = resp.r;
  o = 0;
  for (const s of seqs) {
    for (let k = 0; k < K; k++) first[k]! += r[o * K + k]!;
    for (let t = 1; t < s.length; t++) {
      const a = (o + t - 1) * K;
      const b = (o + t) * K;
      for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) trans[i]![j]! += r[a + i]! * r[b + j]!;
    }
    o += s.length;
  }
  const norm = (row: number[]) => {
    const z = row.reduce((x, y) => x + y, 0);
    return row.map((x) => x / z);
  };
  return { probsInit: norm(first), probsTrans: trans.map(norm), locs: resp.means, scales };
}

/** EM for a 1-D mixture of K Gaussians started from k-means clusters; returns means, sds (≥ floor) and responsibilities [N, K]. */
function mixtureEm(x: Float64Array, centres: readonly number[], labels: Int32Array, K: number, sdFloor: number, iterations = 30): { means: number[]; sds: number[]; r: Float64Array } {
  const N = x.length;
  const minSd = Math.max(sdFloor, 1e-3);
  const means = [...centres];
  const sds = new Array<number>(K).fill(0);
  const weights = new Array<number>(K).fill(0);
  for (let i = 0; i < N; i++) (weights[labels[i]!]! += 1, (sds[labels[i]!]! += (x[i]! - centres[labels[i]!]!) ** 2));
  for (let k = 0; k < K; k++) {
    // a cluster of one value (or none) has no spread: a fraction of the spacing between states stands in
    sds[k] = weights[k]! > 1 ? Math.max(Math.sqrt(sds[k]! / weights[k]!), minSd) : 1 / (2 * K);
    weights[k] = Math.max(weights[k]!, 1) / N;
  }
  const r = new Float64Array(N * K);
  const logp = new Float64Array(K);
  for (let it = 0; it <= iterations; it++) {
    for (let i = 0; i < N; i++) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) {
        const u = (x[i]! - means[k]!) / sds[k]!;
        logp[k] = Math.log(weights[k]!) - Math.log(sds[k]!) - 0.5 * u * u;
        m = Math.max(m, logp[k]!);
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += r[i * K + k] = Math.exp(logp[k]! - m);
      for (let k = 0; k < K; k++) r[i * K + k]! /= sum;
    }
    if (it === iterations) break;
    for (let k = 0; k < K; k++) {
      let w = 0;
      let wx = 0;
      for (let i = 0; i < N; i++) (w += r[i * K + k]!, (wx += r[i * K + k]! * x[i]!));
      if (w < 1e-9) continue;
      const mean = wx / w;
      let ss = 0;
      for (let i = 0; i < N; i++) ss += r[i * K + k]! * (x[i]! - mean) ** 2;
      means[k] = mean;
      sds[k] = Math.max(Math.sqrt(ss / w), minSd);
      weights[k] = w / N;
    }
  }
  return { means, sds, r };
}
