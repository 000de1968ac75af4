// A subsampled plate's index draw: a uniformly random subset (every member with probability
// subsampleSize / size, checked by Pearson chi-square over many draws), the first entries of
// the textbook partial Fisher–Yates permutation driven by the same generator (written out here
// over a full array), and no repeated member.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { makeRng } from "ppl-core";
import { Subsample } from "../../src/distributions/base/subsample.js";

/** The first k entries of a partial Fisher–Yates shuffle of 0..n-1 over a full array. */
function denseFisherYates(n: number, k: number, seed: number): number[] {
  const rng = makeRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, k);
}

describe("Subsample (a subsampled plate's indices)", () => {
  it("is the textbook partial Fisher–Yates draw, k distinct members of 0..n-1", () => {
    for (const [n, k, seed] of [[10_000, 500, 1], [7, 7, 2], [50, 1, 3], [1000, 999, 4]] as const) {
      const got = Array.from(new Subsample(n, k).sample([], seed).dataSync());
      expect(got).toEqual(denseFisherYates(n, k, seed));
      expect(new Set(got).size).toBe(k);
      expect(got.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    }
  });

  it("picks every member with probability k / n (Pearson chi-square over 2 000 draws, p = 0.001)", () => {
    const [n, k, draws] = [20, 5, 2000];
    const counts = new Array<number>(n).fill(0);
    const d = new Subsample(n, k);
    for (let s = 0; s < draws; s++) tf.tidy(() => d.sample([], 1000 + s).dataSync().forEach((v) => counts[v]!++));
    const expected = (draws * k) / n;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: the 0.999 quantile is 43.82 (each draw's k members are not independent, which only narrows the spread)
    expect(chi2).toBeLessThan(43.82);
  });
});
