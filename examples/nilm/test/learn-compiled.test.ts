// Unsupervised learning runs the compiled ELBO (docs/compiled.md): its steps replay the recorded program,
// print no fall-back message, and a replayed step's loss is the float64 oracle's −log p(y, globals)
// (test/oracle.ts: the prior plus the brute-force sum over every joint path) at the globals it was
// evaluated at. Two runs from the same seed make the same steps, so the globals after n steps of one are
// those step n + 1 of the other was evaluated at.
import { afterEach, describe, expect, it, vi } from "vitest";
import { appliances } from "../src/catalogue.js";
import { learnUnsupervised } from "../src/learn.js";
import { cataloguePrior } from "../src/model.js";
import { bruteForce, logPrior, tinyPrior } from "./oracle.js";

afterEach(() => vi.restoreAllMocks());

describe("learnUnsupervised with JitTraceEnumELBO (fridge and kettle, 4 readings)", () => {
  it("steps 2–5 replay; step 5's loss equals the float64 oracle at the globals after 4 steps (1e-5 relative)", () => {
    const warn = vi.spyOn(console, "warn");
    const prior = cataloguePrior(appliances(2));
    const mains = [0.09, 2.15, 2.2, 0.12];
    const four = learnUnsupervised(mains, prior, { steps: 4, lr: 0.01, seed: 0 });
    const five = learnUnsupervised(mains, prior, { steps: 5, lr: 0.01, seed: 0 });
    // step 1 created the params (its second call recorded), steps 2–5 replayed
    expect(five.compileStats).toEqual([{ recorded: 1, replayed: 4, interpreted: 0 }]);
    expect(warn).not.toHaveBeenCalled();
    const p = tinyPrior(prior);
    const truth = -(logPrior(four.globals, p) + bruteForce(mains, four.globals, p.probsInit).logMarginal);
    const loss = five.losses[0]![4]!;
    expect(Math.abs(loss - truth) / Math.abs(truth)).toBeLessThan(1e-5);
    expect(Math.abs(loss - five.losses[0]![0]!)).toBeGreaterThan(1e-3);
  });
});
