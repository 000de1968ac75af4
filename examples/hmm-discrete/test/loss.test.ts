// The example's loss (TraceEnumELBO, states enumerated in the markov loop, AutoDelta at fixed
// globals) against the float64 oracle −log p(y, θ): the flat Dirichlet priors' log-densities plus
// the forward-algorithm log-likelihood of every sequence, written in test/oracle.ts.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { block, clearParamStore } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { learn, makeLoss } from "../src/learn.js";
import { GLOBAL_SITES, model } from "../src/model.js";
import { SYMBOLS, TRUTHS, type PlainParams, generate } from "../src/truth.js";
import { negLogJoint } from "./oracle.js";

const V = SYMBOLS.length;

function pplLoss(ys: number[][], p: PlainParams): number {
  clearParamStore();
  const K = p.probsInit.length;
  const values = { probs_init: tf.tensor1d(p.probsInit), probs_trans: tf.tensor2d(p.probsTrans), probs_emit: tf.tensor2d(p.probsEmit) };
  const guide = new AutoDelta(block(model, { expose: [...GLOBAL_SITES] }), { initLocFn: initToValue({ values }) });
  const obs = tf.tensor2d(ys, [ys.length, ys[0]!.length], "int32");
  const loss = makeLoss().loss(model, guide, obs, K, V);
  tf.dispose([obs, ...Object.values(values)]);
  clearParamStore();
  return loss;
}

// a point far from both truths: rows that favour the wrong symbols and a nearly absorbing state
const POOR: Record<2 | 3, PlainParams> = {
  2: { probsInit: [0.15, 0.85], probsTrans: [[0.97, 0.03], [0.5, 0.5]], probsEmit: [[0.3, 0.3, 0.4], [0.05, 0.15, 0.8]] },
  3: {
    probsInit: [0.2, 0.5, 0.3],
    probsTrans: [[0.3, 0.3, 0.4], [0.6, 0.2, 0.2], [0.02, 0.08, 0.9]],
    probsEmit: [[0.5, 0.25, 0.25], [0.1, 0.1, 0.8], [0.33, 0.33, 0.34]],
  },
};

describe("the loss at fixed parameters equals −log p(y, θ) by the float64 forward algorithm", () => {
  for (const K of [2, 3] as const) {
    for (const [what, p] of [["the truth", TRUTHS[K].params], ["a poor point", POOR[K]]] as const) {
      it(`K = ${K}, 5 sequences × 8 days, at ${what} (1e-5 relative)`, () => {
        const { obs } = generate(5, 8, 11, TRUTHS[K].params);
        const expected = negLogJoint(obs, p);
        expect(Math.abs(pplLoss(obs, p) - expected) / expected).toBeLessThan(1e-5);
      });
    }
  }

  it("K = 3 at the example's size (50 sequences × 100 days) at the truth (1e-5 relative)", () => {
    const { obs } = generate(50, 100, 1, TRUTHS[3].params);
    const expected = negLogJoint(obs, TRUTHS[3].params);
    expect(Math.abs(pplLoss(obs, TRUTHS[3].params) - expected) / expected).toBeLessThan(1e-5);
  });
});

describe("learning disposes what it makes", () => {
  it("holds as many tensors after 6 SVI steps as after 2 (every step tidied, nothing cached per step)", () => {
    const { obs } = generate(4, 10, 3, TRUTHS[3].params);
    const data = tf.tensor2d(obs, [4, 10], "int32");
    learn(data, 3, V, { steps: 2, lr: 0.1, seed: 0 });
    const before = tf.memory().numTensors;
    learn(data, 3, V, { steps: 6, lr: 0.1, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });
});
