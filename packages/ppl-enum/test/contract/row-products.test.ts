// The plate product of row factors (execute.ts RowProducts): factors that are
// rows of one batched tensor (a markov chain's emissions, one batch per parity)
// are summed over their plate in ONE op on the whole batch, and the results
// stay rows that the chain step weaves back along time. Log total, its gradient
// and the max against the unrolled float64 oracle; whether the rows were split.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../src/contract/execute.js";
import type { Factor } from "../../src/contract/factor.js";
import { MapRing, type Ring, logRing } from "../../src/contract/rings.js";
import { LazyRows, rowFactor } from "../../src/contract/rows.js";
import { logZ, maxAssignment } from "./oracle.js";
import { type PFactor, type Problem, normal, rng, unroll } from "./problem.js";
import { planFor, pplFactor } from "./run.js";

/** LazyRows that counts how often its rows were split off. */
class CountingRows extends LazyRows {
  reads = 0;
  override get(i: number): tf.Tensor {
    this.reads++;
    return super.get(i);
  }
}

const K = 3;
const P = 2;
const Q = 4;

/**
 * A chain v_0 … v_{n-1} in plate p, each v_t with an emission over (p, q) in
 * plates p and q (q nested), a prior on v_0 and a transition per step. The
 * emissions' factor indices are returned too.
 */
function emissionChain(n: number, seed: number): { p: Problem; emissions: number[] } {
  const u = rng(seed);
  const vals = (m: number) => Float64Array.from({ length: m }, () => normal(u));
  const sizes = new Map<string, number>([["p", P], ["q", Q], ...Array.from({ length: n }, (_, t) => [`v${t}`, K] as [string, number])]);
  const factors: PFactor[] = [{ dims: ["v0", "p"], ordinal: ["p"], values: vals(K * P) }];
  for (let t = 0; t + 1 < n; t++) factors.push({ dims: [`v${t}`, `v${t + 1}`], ordinal: ["p"], values: vals(K * K) });
  const emissions: number[] = [];
  for (let t = 0; t < n; t++) {
    emissions.push(factors.length);
    factors.push({ dims: [`v${t}`, "p", "q"], ordinal: ["p", "q"], values: vals(K * P * Q) });
  }
  return { p: { sizes, plates: new Set(["p", "q"]), factors }, emissions };
}

/** The emissions as rows of `k` batches (step t is row ⌊t/k⌋ of batch t mod k), every other factor a plain tensor. */
function rowInputs(p: Problem, emissions: readonly number[], k: number, sources?: readonly tf.Tensor[]) {
  const n = emissions.length;
  const srcs = sources ?? Array.from({ length: k }, (_, j) => {
    const rows = emissions.filter((_, t) => t % k === j).map((fi) => Array.from(p.factors[fi]!.values));
    return tf.tensor(rows.flat(), [rows.length, K, P, Q]);
  });
  const batches = srcs.map((s) => new CountingRows(s));
  const inputs: Factor[] = p.factors.map((_, i) => {
    const t = emissions.indexOf(i);
    if (t < 0) return pplFactor(p, i).factor;
    return rowFactor(batches[t % k]!, Math.floor(t / k), ["v" + t, "p", "q"], [K, P, Q]);
  });
  expect(n % k).toBe(0);
  return { inputs, batches, sources: srcs };
}

function total(p: Problem, inputs: readonly Factor[], ring: Ring, fuseChains: boolean): tf.Tensor {
  const plan = planFor(p, fuseChains);
  return runPlan(plan, inputs, ring).reduce((acc, r, i) => acc.add(r.sum().mul(plan.rootMultipliers[i]!)), tf.scalar(0));
}

describe("plate products of row factors run once per batch", () => {
  for (const [n, k, fuse] of [[8, 2, true], [6, 1, true], [6, 2, false], [2, 2, true]] as const) {
    it(`chain of ${n}, ${k} batch(es), fuseChains ${fuse}: log total, max and gradient against the oracle`, () => {
      const { p, emissions } = emissionChain(n, 7 + n + k);
      const flat = unroll(p).flat;
      tf.tidy(() => {
        const { inputs, batches } = rowInputs(p, emissions, k);
        expect(total(p, inputs, logRing, fuse).dataSync()[0]).toBeCloseTo(logZ(flat), 4);
        // a fused chain weaves the batches' plate products along time: no row is ever split off
        if (fuse && n >= 3) expect(batches.map((b) => b.reads)).toEqual(batches.map(() => 0));
      });
      tf.tidy(() => {
        const { inputs } = rowInputs(p, emissions, k);
        expect(total(p, inputs, new MapRing(), fuse).dataSync()[0]).toBeCloseTo(maxAssignment(flat).value, 4);
      });
      // d total / d batch entry against central finite differences of the oracle, entry by entry
      const grads = tf.tidy(() => {
        const { sources } = rowInputs(p, emissions, k);
        const f = (...xs: tf.Tensor[]) => total(p, rowInputs(p, emissions, k, xs).inputs, logRing, fuse);
        return tf.grads(f)([...sources]).map((g) => g.arraySync() as number[][][][]);
      });
      const h = 1e-5;
      emissions.forEach((fi, t) => {
        const g = grads[t % k]![Math.floor(t / k)]!.flat(2);
        const values = p.factors[fi]!.values;
        for (let e = 0; e < values.length; e++) {
          const at = (d: number) => {
            const factors = p.factors.map((f, j) => (j === fi ? { ...f, values: values.map((x, i) => (i === e ? x + d : x)) } : f));
            return logZ(unroll({ ...p, factors }).flat);
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(g[e]! - fd)).toBeLessThan(1e-4 * (1 + Math.abs(fd)));
        }
      });
    });
  }
});
