// The seed model (S=30, T=120, K=3) learned with the compiled ELBOs: every step's loss and the params after
// 12 Adam steps equal the interpreted ELBOs' (each step's gradient is tfjs's over the same kernels, so the two
// runs agree to float32 round-off), in each of the three forms. forms.test.ts checks the forms' losses and
// gradients against each other, ppl-enum's seed-hmm.test.ts the markov loop's against a float64 forward
// algorithm, and the compiled replays against float64 oracles in ppl-enum's test-enum/compiled.test.ts and
// hmm-family's compiled.test.ts. The second block checks the default (compiled) learning's replayed losses
// against a float64 forward algorithm written here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { learn } from "../src/learn.js";
import type { PlainParams } from "../src/truth.js";
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

// An independent float64 truth for the default (compiled) learning: −log p(y, θ) of the tutorial's model,
// the forward algorithm in log space plus the priors (Dirichlet(1) rows, locs ~ Normal(mean, 3 × Bessel sd)
// of the data, scales ~ LogNormal(0, 1)), written here from the model's definition.
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const logNormal = (x: number, m: number, s: number) => -Math.log(s) - LOG_SQRT_2PI - 0.5 * ((x - m) / s) ** 2;
const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

function negLogJoint(ys: number[][], p: PlainParams): number {
  const K = p.locs.length;
  const flat = ys.flat();
  const mean = flat.reduce((a, b) => a + b, 0) / flat.length;
  const s0 = 3 * Math.sqrt(flat.reduce((a, b) => a + (b - mean) ** 2, 0) / (flat.length - 1));
  let logFact = 0;
  for (let i = 2; i < K; i++) logFact += Math.log(i);
  let lp = (K + 1) * logFact;
  for (let k = 0; k < K; k++) lp += logNormal(p.locs[k]!, mean, s0) + logNormal(Math.log(p.scales[k]!), 0, 1) - Math.log(p.scales[k]!);
  for (const y of ys) {
    let alpha = p.locs.map((m, k) => Math.log(p.probsInit[k]!) + logNormal(y[0]!, m, p.scales[k]!));
    for (let t = 1; t < y.length; t++) {
      alpha = p.locs.map((m, j) => logSumExp(alpha.map((a, i) => a + Math.log(p.probsTrans[i]![j]!))) + logNormal(y[t]!, m, p.scales[j]!));
    }
    lp += logSumExp(alpha);
  }
  return -lp;
}

describe("the example's default learning is compiled and equals the float64 −log joint", () => {
  afterEach(() => vi.restoreAllMocks());
  for (const form of ["markov", "vectorizedMarkov", "vectorized"] as const) {
    it(`${form}: steps 2–6 replay; step 6's loss is the float64 oracle at the params after 5 steps (1e-5 relative)`, () => {
      const warn = vi.spyOn(console, "warn");
      const ys = data.obs.slice(0, 4).map((y) => y.slice(0, 30));
      const obs = tf.tensor2d(ys);
      // two runs from the same seed make the same steps: the params after 5 steps are those step 6 was evaluated at
      const five = learn(obs, 3, { form, steps: 5, lr: 0.05, seed: 4 });
      const six = learn(obs, 3, { form, steps: 6, lr: 0.05, seed: 4 });
      obs.dispose();
      expect(six.compileStats).toEqual({ recorded: 2, replayed: 5, interpreted: 0 });
      expect(warn).not.toHaveBeenCalled();
      const truth = negLogJoint(ys, five.params);
      expect(Math.abs(six.losses[5]! - truth) / Math.abs(truth)).toBeLessThan(1e-5);
      expect(Math.abs(six.losses[5]! - six.losses[0]!)).toBeGreaterThan(0.5);
    });
  }
});
