// ppl-specific parts of the contraction that Pyro's test_contract has no case
// for: the fused first-order chain step (chain-plan.ts, ppl-core's chain kernel) against
// the unrolled oracle with every ring (value and gradient; the MAP value and
// assignment; joint sample frequencies), the plan cache, and the rank limit.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLResourceError } from "ppl-core";
import { runPlan } from "../../src/contract/execute.js";
import { MapRing, type Ring, logRing } from "../../src/contract/rings.js";
import { logZ, maxAssignment } from "./oracle.js";
import { PlanCache } from "../../src/contract/plan-cache.js";
import { buildPlan } from "../../src/contract/plan.js";
import { checkGrad, checkLog, checkMax, checkSample } from "./check.js";
import { type Problem, fromEquation, normal, randomChain, rng, unroll } from "./problem.js";
import { planFor, pplFactor } from "./run.js";

describe("fused chain steps against the unrolled oracle", () => {
  for (let seed = 0; seed < 24; seed++) {
    it(`random chain seed ${seed}`, () => {
      const p = randomChain(seed);
      // the plan really fuses this chain (otherwise the fused op is not under test)
      expect(planFor(p, true).steps.some((s) => s.kind === "timeChain")).toBe(true);
      checkLog(p, true);
      checkLog(p, false);
      if (seed % 8 === 0) checkGrad(p, true);
      if (seed % 8 === 1 || seed % 8 === 4) {
        checkMax(p);
        checkSample(p, 20_000 + seed, 2000);
      }
      // the chain step under the max and sample rings (Viterbi and FFBS records)
      checkMax(p, true);
      if (seed % 4 === 2) checkSample(p, 30_000 + seed, 2000, 256, true);
    });
  }

  it("a chain in a plate its factors do not vary along: one MAP path, independent draws per member", () => {
    const u = rng(41);
    const dims = [["v0"], ["v0", "v1"], ["v1", "v2"], ["v1"], ["v2"]];
    const sizes = new Map([["i", 2], ["v0", 2], ["v1", 2], ["v2", 2]]);
    const factors = dims.map((d) => ({ dims: d, ordinal: ["i"], values: Float64Array.from({ length: 2 ** d.length }, () => normal(u)) }));
    const p: Problem = { sizes, plates: new Set(["i"]), factors };
    const plan = planFor(p, true);
    // the per-step factors stacked along time, then one time chain: no variable eliminated one by one
    expect(plan.steps.map((s) => s.kind).filter((k) => k !== "stack")).toEqual(["timeChain"]);
    checkLog(p, true);
    checkMax(p, true);
    // the oracle's joint over both members' copies: the draws must be independent along i
    checkSample(p, 43, 4000, 256, true);
  });

  it("one tensor for every transition stays one kernel transition (Tp = 1): log total, its gradient and the max", () => {
    const u = rng(53);
    const n = 5;
    const sizes = new Map<string, number>([["p", 2], ...Array.from({ length: n }, (_, t) => [`v${t}`, 3] as [string, number])]);
    const shared = Float64Array.from({ length: 9 }, () => normal(u));
    const factors = [
      ...Array.from({ length: n }, (_, t) => ({ dims: [`v${t}`, "p"], ordinal: ["p"], values: Float64Array.from({ length: 6 }, () => normal(u)) })),
      ...Array.from({ length: n - 1 }, (_, t) => ({ dims: [`v${t}`, `v${t + 1}`], ordinal: ["p"], values: shared })),
    ];
    const p: Problem = { sizes, plates: new Set(["p"]), factors };
    const plan = planFor(p, true);
    expect(plan.steps.map((st) => st.kind).filter((k) => k !== "stack")).toEqual(["timeChain"]);
    const flat = unroll(p).flat;
    const A = tf.tensor2d(Array.from(shared), [3, 3]);
    // the same tensor object in every transition slot (what the chain step recognises)
    const inputs = (a: tf.Tensor) => factors.map((f, i) => (f.values === shared ? { data: a, dims: f.dims } : pplFactor(p, i).factor));
    const total = (ring: Ring, a: tf.Tensor) =>
      runPlan(plan, inputs(a), ring).reduce((acc, r, i) => acc.add(r.sum().mul(plan.rootMultipliers[i]!)), tf.scalar(0));
    const pairShapes: (readonly number[])[] = [];
    const watched: Ring = { pairedStates: logRing.pairedStates, combine: logRing.combine, factorial: logRing.factorial, chain: (un, pr, spec) => (pairShapes.push(pr.shape), logRing.chain(un, pr, spec)) };
    expect(total(watched, A).dataSync()[0]).toBeCloseTo(logZ(flat), 4);
    expect(pairShapes).toEqual([[1, 1, 3, 3]]);
    expect(total(new MapRing(), A).dataSync()[0]).toBeCloseTo(maxAssignment(flat).value, 4);
    const g = Array.from(tf.grad((a: tf.Tensor) => total(logRing, a))(A).dataSync());
    const h = 1e-5;
    const at = (e: number, d: number) => logZ(unroll({ ...p, factors: factors.map((f) => (f.values === shared ? { ...f, values: shared.map((x, j) => (j === e ? x + d : x)) } : f)) }).flat);
    g.forEach((ge, e) => expect(Math.abs(ge - (at(e, h) - at(e, -h)) / (2 * h))).toBeLessThan(1e-4));
  });

  it("a chain among other factors: 'a,ab,bc,cd,de,ei->' with all variables of size 3", () => {
    const p = fromEquation("a,ab,bc,cd,de,ei->", "i", { seed: 31, cycle: [3] });
    expect(planFor(p, true).steps.some((s) => s.kind === "timeChain")).toBe(true);
    checkLog(p, true);
    checkGrad(p, true);
  });
});

describe("plan cache", () => {
  it("one plan per signature, rebuilt when a size changes", () => {
    const cache = new PlanCache();
    const sigs = (k: number) => [
      { dims: ["a"], sizes: [k], ordinal: [] },
      { dims: ["a", "b", "i"], sizes: [k, 3, 4], ordinal: ["i"] },
    ];
    const plates = new Map([["i", 4]]);
    const label = (d: string) => d;
    const first = cache.get(sigs(2), new Set(["a", "b"]), plates, label);
    expect(cache.get(sigs(2), new Set(["a", "b"]), plates, label)).toBe(first);
    expect(cache.size).toBe(1);
    const other = cache.get(sigs(3), new Set(["a", "b"]), plates, label);
    expect(other).not.toBe(first);
    expect(cache.size).toBe(2);
  });
});

describe("no rank limit; a size limit", () => {
  it("an input factor of rank 12 is contracted (no fixed rank): log total against the float64 oracle", () => {
    checkLog(fromEquation("abcdefghijkl->", "", { cycle: [2] }));
  });

  it("eliminating from a 7-clique of 20-valued variables needs a 20^7 = 1.28e9-element factor: refused, naming the variables", () => {
    const dims = ["a", "b", "c", "d", "e", "f", "g"];
    const sigs = dims.flatMap((x, i) => dims.slice(i + 1).map((y) => ({ dims: [x, y], sizes: [20, 20], ordinal: [] })));
    const build = () => buildPlan(sigs, new Set(dims), new Map(), (d) => `'${d}'`);
    expect(build).toThrow(PPLResourceError);
    expect(build).toThrow(/the contraction: eliminating 'a' from a factor over 'b' \(20\), .*'g' \(20\), 'a' \(20\) would need a tensor of 1,280,000,000 elements/);
  });
});
