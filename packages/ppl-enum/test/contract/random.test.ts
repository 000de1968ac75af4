// Seeded random factor sets (0-3 plates, nested or side by side, 1-5 variables
// of sizes 1-3, factors that lack some plates) through ppl's plan with every
// ring, against the unrolled float64 oracle: log total (generic and with chain
// fusion on), max total and MAP assignment, joint posterior draws, and (every
// tenth seed) the gradient against finite differences. The seed is in the test name.
import { describe, it } from "vitest";
import { checkGrad, checkLog, checkMax, checkSample } from "./check.js";
import { randomProblem } from "./problem.js";

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
