// Seeded random factor sets (0-3 plates, nested or side by side, 1-5 variables
// of sizes 1-3, factors that lack some plates) through ppl's plan with every
// ring, against the unrolled float64 oracle: log total (generic and with chain
// fusion on), max total and MAP assignment, joint posterior draws, and (every
// tenth seed) the gradient against finite differences. The seed is in the test name.
import { describe, expect, it } from "vitest";
import { PPLModelError } from "ppl-core";
import { checkGrad, checkLog, checkMax, checkSample } from "./check.js";
import { randomProblem, randomSideBySide } from "./problem.js";
import { logTotal } from "./run.js";

const SEEDS = 120;

describe("random factor sets against the unrolled oracle", () => {
  for (let seed = 0; seed < SEEDS; seed++) {
    it(`seed ${seed}`, () => {
      const p = randomProblem(seed);
      checkLog(p);
      checkLog(p, true);
      checkMax(p);
      checkSample(p, 10_000 + seed, 2000);
      if (seed % 10 === 0) checkGrad(p);
    });
  }
});

describe("random factor sets over side-by-side plates i, j and {i, j}", () => {
  // exactly the non-tree ones (by the generator's own criterion) must be refused with the tree error
  const counts = { refused: 0, contracted: 0 };
  for (let seed = 0; seed < 60; seed++) {
    it(`side-by-side seed ${seed}`, () => {
      const { problem, nonTree } = randomSideBySide(seed);
      if (nonTree) {
        expect(() => logTotal(problem)).toThrow(PPLModelError);
        expect(() => logTotal(problem)).toThrow(/tree-structured plate nesting.*plate '[ij]', plate '[ij]'/);
        counts.refused++;
      } else {
        checkLog(problem);
        checkMax(problem);
        if (seed % 4 === 0) checkSample(problem, 30_000 + seed, 2000);
        counts.contracted++;
      }
    });
  }
  it("both kinds occur", () => {
    expect(counts.refused).toBeGreaterThan(5);
    expect(counts.contracted).toBeGreaterThan(5);
  });
});
