// ppl-hmm's SVI fit (--method svi) runs the compiled ELBO (docs/compiled.md) in both forms: its steps replay
// the recorded program, print no fall-back message, and the best iterate's loss (a replayed step's) is
// −log p(y, θ) by the independent float64 forward algorithm and priors of test/baum-welch.ts at the
// returned params (same standardised data, same priors, same sd floor).
import { ready } from "ppl-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { disposeData, toCliData } from "../src/fit/model.js";
import { learnRestart } from "../src/fit/svi.js";
import { logLikelihood, logPrior } from "./baum-welch.js";

beforeAll(async () => {
  await ready();
});
afterEach(() => vi.restoreAllMocks());

/** Two standardised sequences of lengths 40 and 25 (two groups) switching between levels −1 and 1. */
function sequences(): Float64Array[] {
  let s = 5;
  const u = () => (s = (s * 69069 + 1) % 4294967296) / 4294967296;
  return [40, 25].map((T) => {
    let z = 0;
    return Float64Array.from({ length: T }, () => {
      if (u() > 0.85) z = 1 - z;
      return (z === 0 ? -1 : 1) + 0.4 * (u() - 0.5);
    });
  });
}

const init = { probsInit: [0.5, 0.5], probsTrans: [[0.8, 0.2], [0.3, 0.7]], locs: [-0.5, 0.5], scales: [0.8, 0.8] };

describe("ppl-hmm's SVI restart with the compiled ELBO", () => {
  for (const form of ["discrete-hmm", "markov"] as const) {
    it(`${form}: 15 steps replay; the best loss equals the float64 −log joint at the returned params (1e-5 relative)`, () => {
      const warn = vi.spyOn(console, "warn");
      const z = sequences();
      const floor = 0.05;
      const data = toCliData(z, floor);
      // a window longer than the run: no plateau, no new SVI, one program for the whole run
      const run = learnRestart(data, init, 0, 0, { K: 2, form, lr: 0.02, tol: 1e-9, window: 100, maxSteps: 15, divergeRatio: 1 });
      const prior = { m0: data.locsPrior.loc, s0: data.locsPrior.scale, floor };
      disposeData(data);
      // step 1's call recorded (the params were made by the evaluation before it), steps 2–15 replayed
      expect(run.compileStats).toEqual({ recorded: 1, replayed: 14, interpreted: 0 });
      expect(warn).not.toHaveBeenCalled();
      expect(run.bestStep).toBeGreaterThan(0);
      const truth = -(logLikelihood(z.map((y) => [...y]), run.params, floor) + logPrior(run.params, prior));
      expect(Math.abs(run.bestLoss - truth) / Math.abs(truth)).toBeLessThan(1e-5);
      expect(run.losses[0]! - run.bestLoss).toBeGreaterThan(0.1);
    });
  }
});
