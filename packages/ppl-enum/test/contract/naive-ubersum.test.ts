// Pyro's test_naive_ubersum checks the reference against plain einsum. Here the
// reference is this folder's oracle (unroll + variable elimination, oracle.ts),
// checked against brute force over every assignment: log Σ exp, the max and
// its argmax, joint marginals, and the unrolling itself on a hand-made case.
import { describe, expect, it } from "vitest";
import { bruteForceTable, evaluate, jointMarginal, logSumExp, logZ, maxAssignment } from "./oracle.js";
import { fromEquation, randomProblem, unroll } from "./problem.js";

describe("test_naive_ubersum (the oracle against brute force)", () => {
  it("variable elimination equals brute force on random unrolled problems", () => {
    for (let seed = 0; seed < 40; seed++) {
      const flat = unroll(randomProblem(5000 + seed, 10)).flat;
      const table = bruteForceTable(flat);
      expect(Math.abs(logZ(flat) - logSumExp(table))).toBeLessThan(1e-10);
      const best = maxAssignment(flat);
      const top = Math.max(...table);
      expect(Math.abs(best.value - top)).toBeLessThan(1e-10);
      expect(Math.abs(evaluate(flat, best.assignment) - top)).toBeLessThan(1e-10);
      if (flat.sizes.length >= 2) {
        // P(v0, v1) by summing the table
        const [s0, s1] = [flat.sizes[0]!, flat.sizes[1]!];
        const rest = table.length / (s0 * s1);
        const z = logSumExp(table);
        const m = jointMarginal(flat, [0, 1]);
        for (let k = 0; k < s0 * s1; k++) {
          let s = 0;
          for (let r = 0; r < rest; r++) s += Math.exp(table[k * rest + r]! - z);
          expect(Math.abs(m[k]! - s)).toBeLessThan(1e-10);
        }
      }
    }
  });

  it("unrolling 'a,ai->' with plate i of size 3: one copy of a, three of the ai factor", () => {
    const p = fromEquation("a,ai->", "i", { seed: 3, sizes: { a: 2, i: 3 } });
    const x = p.factors[0]!.values, y = p.factors[1]!.values;
    const expected = logSumExp([0, 1].map((a) => x[a]! + y[a * 3]! + y[a * 3 + 1]! + y[a * 3 + 2]!));
    expect(Math.abs(logZ(unroll(p).flat) - expected)).toBeLessThan(1e-12);
  });

  it("unrolling 'ai,i->' with plate i of size 3: a is copied per member", () => {
    const p = fromEquation("ai,i->", "i", { seed: 4, sizes: { a: 2, i: 3 } });
    const x = p.factors[0]!.values, y = p.factors[1]!.values;
    let expected = 0;
    for (let i = 0; i < 3; i++) expected += y[i]! + logSumExp([x[i]!, x[3 + i]!]);
    expect(Math.abs(logZ(unroll(p).flat) - expected)).toBeLessThan(1e-12);
  });
});
