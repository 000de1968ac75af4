// Every model of hmm.py on a tiny instance (2 sequences of lengths 3 and 2,
// 3 tones, 2 states per chain): TraceEnumELBO's loss against a float64
// brute-force sum over every hidden path, and its gradients against central
// finite differences of that sum; the loss again through hmm.py's own guide.
import { describe, expect, it } from "vitest";
import { CASES } from "./cases.js";
import { autoDeltaLoss, expectMatchesOracle } from "./harness.js";

describe("hmm.py's models: loss and gradients equal a float64 brute-force oracle", () => {
  for (const [what, c] of CASES) {
    it(`${what}: loss and gradients`, () => {
      expectMatchesOracle(c);
    });
  }
  for (const [what, c] of CASES.filter(([w]) => !w.includes("without"))) {
    it(`${what}: the loss through AutoDelta(block(model, probs_*))`, () => {
      const values = Object.fromEntries(Object.entries({ ...c.samples, ...c.params }).map(([k, v]) => [k, [...v.data]]));
      const truth = -c.oracle(values);
      expect(Math.abs(autoDeltaLoss(c) - truth) / Math.abs(truth)).toBeLessThan(1e-5);
    });
  }
});
