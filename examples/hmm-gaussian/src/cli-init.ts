/**
 * Starting points from the data, as hmmlearn does: k-means on the pooled
 * (standardised) values gives each state's mean; each cluster's spread its
 * sd; the hard labels' transition and first-state counts (plus one, so every
 * probability is inside the simplex) the two probability tables. Restart 0
 * starts k-means at the quantiles (k + ½)/K, later restarts at k-means++
 * draws from a seeded generator.
 */
import { hashSeed, makeRng } from "ppl-core";
import type { PlainParams } from "./truth.js";

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
  method: "k-means from quantiles" | "k-means++";
  /** In the data's units, sorted by mean. */
  params: PlainParams;
}

/**
 * A restart's starting point in standardised units: `seqs` are standardised
 * sequences, `sdFloor` the emission sd floor (the returned scales are the
 * model's `scales` site, whose emission sd is √(scale² + floor²)).
 */
export function initFromData(seqs: readonly Float64Array[], K: number, restart: number, seed: number, sdFloor: number): { method: InitReport["method"]; params: PlainParams } {
  const N = seqs.reduce((a, s) => a + s.length, 0);
  const all = new Float64Array(N);
  let o = 0;
  for (const s of seqs) {
    all.set(s, o);
    o += s.length;
  }
  const sorted = Float64Array.from(all).sort();
  const method = restart === 0 ? "k-means from quantiles" : "k-means++";
  const { centres, labels } = kmeans1d(all, restart === 0 ? quantileStart(sorted, K) : plusPlusStart(all, K, seed + restart));
  const sq = new Float64Array(K);
  const count = new Float64Array(K);
  for (let i = 0; i < N; i++) {
    const k = labels[i]!;
    sq[k]! += (all[i]! - centres[k]!) ** 2;
    count[k]! += 1;
  }
  // a cluster of one value (or none) has no spread: a fraction of the spacing between centres stands in
  const fallbackSd = 1 / (2 * K);
  const scales = centres.map((_, k) => {
    const sd = count[k]! > 1 ? Math.sqrt(sq[k]! / count[k]!) : fallbackSd;
    const free = Math.max(sd * sd - sdFloor * sdFloor, 0);
    // strictly positive: the scales site lives on the positive reals
    return Math.max(Math.sqrt(free), 0.1 * Math.max(sdFloor, 1e-3));
  });
  const trans = Array.from({ length: K }, () => new Array<number>(K).fill(1));
  const first = new Array<number>(K).fill(1);
  o = 0;
  for (const s of seqs) {
    first[labels[o]!]! += 1;
    for (let t = 1; t < s.length; t++) trans[labels[o + t - 1]!]![labels[o + t]!]! += 1;
    o += s.length;
  }
  const norm = (r: number[]) => {
    const z = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / z);
  };
  return { method, params: { probsInit: norm(first), probsTrans: trans.map(norm), locs: centres, scales } };
}
