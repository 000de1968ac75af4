// The seed model (S=30, T=120, K=3) learned with the compiled ELBOs: every step's loss and the params after
// 12 Adam steps equal the interpreted ELBOs' (each step's gradient is tfjs's over the same kernels, so the two
// runs agree to float32 round-off), in each of the three forms. forms.test.ts checks the forms' losses and
// gradients against each other, ppl-enum's seed-hmm.test.ts the markov loop's against a float64 forward
// algorithm, and the compiled replays against float64 oracles in ppl-enum's test-enum/compiled.test.ts and
// hmm-family's compiled.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { learn } from "../src/learn.js";
import { exampleDir } from "./run.js";

const data = JSON.parse(readFileSync(join(exampleDir, "..", "..", "data", "seed_train_S30_T120_seed1.json"), "utf8")) as { obs: number[][] };

describe("the seed model learned with JitTraceEnumELBO / JitTraceELBO", () => {
  for (const form of ["markov", "vectorizedMarkov", "vectorized"] as const) {
    it(`${form}: 12 compiled steps give the interpreted steps' losses and params`, () => {
      const obs = tf.tensor2d(data.obs);
      const run = (compiled: boolean) => learn(obs, 3, { form, steps: 12, lr: 0.05, seed: 4, compiled });
      const plain = run(false);
      const compiled = run(true);
      obs.dispose();
      compiled.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i]!) / Math.abs(plain.losses[i]!), `step ${i}`).toBeLessThan(1e-5));
      const flat = (p: typeof plain.params) => [...p.probsInit, ...p.probsTrans.flat(), ...p.locs, ...p.scales];
      const want = flat(plain.params);
      flat(compiled.params).forEach((x, i) => expect(Math.abs(x - want[i]!), `param ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i]!))));
      // step 1 created the params (its second call recorded), the other 11 replayed; the final evaluateLoss
      // (SVI's own model and guide, without its param capture: another pair) recorded its own
      expect(compiled.compileStats).toEqual({ recorded: 2, replayed: 11, interpreted: 0 });
      // the params moved: the comparison is not of two untouched starting points
      expect(Math.abs(plain.losses[11]! - plain.losses[0]!)).toBeGreaterThan(1);
      expect(Math.abs(compiled.finalLoss - plain.finalLoss) / Math.abs(plain.finalLoss)).toBeLessThan(1e-5);
    });
  }
});
