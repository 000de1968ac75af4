// The approximate decoder (beam Viterbi + iterated conditional modes) on
// chains of different sizes, at meter weight 1 and 0.3, against a float64
// brute-force arg max over every joint path written here; and the beam's
// top-B selection against a full sort. (Same-size chains against brute force:
// examples/nilm/test/decode.test.ts.)
import { describe, expect, it } from "vitest";
import { approxMap } from "../../src/disaggregate/approx-map.js";
import { topB } from "../../src/disaggregate/beam.js";
import type { Chain } from "../../src/disaggregate/factorial.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** The arg max over every joint path of log starts + transitions + weight × log N(y; Σ levels, √(noise² + Σ spreads²)). */
function bruteForce(y: readonly number[], chains: readonly Chain[], weight: number, noise: number): number[][] {
  const sizes = chains.map((c) => c.locs.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const T = y.length;
  let best = -Infinity;
  let arg: number[][] = [];
  for (let code = 0; code < S ** T; code++) {
    const z = chains.map(() => new Array<number>(T).fill(0));
    let c = code;
    for (let t = 0; t < T; t++) {
      for (let m = 0; m < chains.length; m++) {
        z[m]![t] = c % sizes[m]!;
        c = Math.floor(c / sizes[m]!);
      }
    }
    let lp = 0;
    for (let t = 0; t < T; t++) {
      let mean = 0;
      let v = noise * noise;
      chains.forEach((ch, m) => {
        const k = z[m]![t]!;
        lp += Math.log(t === 0 ? ch.init[k]! : ch.trans[z[m]![t - 1]!]![k]!);
        mean += ch.locs[k]!;
        v += ch.scales[k]! ** 2;
      });
      lp += -0.5 * weight * (LOG_2PI + Math.log(v) + (y[t]! - mean) ** 2 / v);
    }
    if (lp > best) [best, arg] = [lp, z];
  }
  return arg;
}

const sticky = (K: number, stay: number) => Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? stay : (1 - stay) / (K - 1))));
const chains: Chain[] = [
  { init: [0.8, 0.2], trans: sticky(2, 0.9), locs: [0, 100], scales: [3, 8] },
  { init: [0.6, 0.3, 0.1], trans: sticky(3, 0.8), locs: [0, 180, 350], scales: [3, 10, 15] },
  { init: [0.5, 0.5], trans: sticky(2, 0.95), locs: [400, 700], scales: [30, 60] },
];

describe("the approximate decoder", () => {
  for (const weight of [1, 0.3]) {
    it(`finds the brute-force arg max, chains of 2, 3 and 2 states, meter weight ${weight}`, () => {
      const y = [410, 515, 690, 1040, 880];
      expect(approxMap(y, chains, { weight, noise: 5 }).states).toEqual(bruteForce(y, chains, weight, 5));
    });
  }

  it("keeps the B best candidates of a minute, best first (against a full sort)", () => {
    let u = 7;
    const rand = () => ((u = (u * 16807) % 2147483647) / 2147483647);
    for (const [n, B] of [[1000, 64], [65, 64], [30, 64], [200, 1], [500, 499]] as const) {
      // with ties: scores on a coarse grid
      const score = Float64Array.from({ length: n }, () => Math.round(rand() * 50));
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b).slice(0, B);
      const got = topB(Array.from({ length: n }, (_, i) => i), score, B);
      expect(got.map((i) => score[i])).toEqual(want.map((i) => score[i]));
    }
  });
});
