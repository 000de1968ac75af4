// decode(): Viterbi by inferDiscrete on the markov-loop model the example trains, against Pyro's
// Viterbi path of the seed test sequence and a float64 brute force on short ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decode, decodeAll } from "../src/decode.js";
import { TRUE_PARAMS } from "../src/truth.js";
import { exampleDir } from "./run.js";

const dataDir = join(exampleDir, "..", "..", "data");
const read = <T>(name: string) => JSON.parse(readFileSync(join(dataDir, name), "utf8")) as T;

function logJoint(y: readonly number[], z: readonly number[]): number {
  const p = TRUE_PARAMS;
  return y.reduce((s, yt, t) => {
    const k = z[t]!;
    const prior = t === 0 ? Math.log(p.probsInit[k]!) : Math.log(p.probsTrans[z[t - 1]!]![k]!);
    const d = (yt - p.locs[k]!) / p.scales[k]!;
    return s + prior - 0.5 * d * d - Math.log(p.scales[k]!);
  }, 0);
}

describe("decode", () => {
  it("gives Pyro's Viterbi path of the seed test sequence (T=160)", () => {
    const test = read<{ y: number[] }>("seed_test_T160_seed77.json");
    const golden = read<{ viterbi_test: { path: number[] } }>("golden_fixed_params.json");
    expect(decode(test.y, TRUE_PARAMS)).toEqual(golden.viterbi_test.path);
  });

  function bruteForceArgmax(y: readonly number[]): number[] {
    let best: number[] = [];
    let bestLp = -Infinity;
    const T = y.length;
    for (let c = 0; c < 3 ** T; c++) {
      const z = Array.from({ length: T }, (_, t) => Math.floor(c / 3 ** (T - 1 - t)) % 3);
      const lp = logJoint(y, z);
      if (lp > bestLp) [best, bestLp] = [z, lp];
    }
    return best;
  }

  for (const y of [[4.2], [0.3, 5.1], [9.8, 5.5, 4.9, 0.4, 9.9]]) {
    it(`gives the brute-force argmax for T=${y.length}`, () => {
      expect(decode(y, TRUE_PARAMS)).toEqual(bruteForceArgmax(y));
    });
  }

  it("decodes several sequences at once (one run per length), each to its brute-force argmax", () => {
    const ys = [[9.8, 5.5, 4.9, 0.4, 9.9], [0.3, 5.1], [0.1, 0.2, 5.3, 9.7, 10.4], [4.6, 5.2, 9.1, 9.6, 0.2], [7.4]];
    expect(decodeAll(ys, TRUE_PARAMS)).toEqual(ys.map(bruteForceArgmax));
  });
});
