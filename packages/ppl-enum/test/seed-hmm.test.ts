// The seed HMM (S=30, T=120, K=3) at fixed parameters: TraceEnumELBO against
// Pyro's golden losses and a float64 forward algorithm written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { TraceEnumELBO } from "ppl-enum";
import { deltaGuide, forwardLogLik, hmmBody, loadJSON, relErr, seedModel, type HMMParams } from "./helpers.js";

interface Golden {
  float64: { loss_priors_included: number; loss_priors_excluded: number; log_prior: number };
  numpy_forward_float64: { log_marginal_per_seq: number[] };
}
const golden = loadJSON<Golden>("golden_fixed_params.json");
const train = loadJSON<{ obs: number[][] }>("seed_train_S30_T120_seed1.json");
const truth = loadJSON<{ pi_true: number[]; A_true: number[][] }>("true_params.json");
const fixed: HMMParams = { pi: [0.5, 0.3, 0.2], A: truth.A_true, locs: [0, 5, 10], scales: [0.7, 0.7, 0.7] };

describe("TraceEnumELBO on the seed HMM", () => {
  const obs = tf.tensor2d(train.obs);
  const values = {
    probs_init: tf.tensor1d(fixed.pi),
    probs_trans: tf.tensor2d(fixed.A),
    locs: tf.tensor1d(fixed.locs),
    scales: tf.tensor1d(fixed.scales),
  };
  const ref = train.obs.reduce((s, y) => s + forwardLogLik(y, fixed), 0);

  it("the float64 forward algorithm here agrees with numpy's", () => {
    const np = golden.numpy_forward_float64.log_marginal_per_seq.reduce((a, b) => a + b, 0);
    expect(relErr(ref, np)).toBeLessThan(1e-7); // A_true is stored float32-rounded
  });

  it("loss with priors matches Pyro's golden value and -(log prior + forward log-likelihood)", () => {
    const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
    const loss = elbo.loss(seedModel, deltaGuide(values), obs, 3);
    expect(relErr(loss, golden.float64.loss_priors_included)).toBeLessThan(1e-4);
    expect(relErr(loss, -(golden.float64.log_prior + ref))).toBeLessThan(1e-5);
  });

  it("loss without priors matches the golden value and the forward algorithm", () => {
    const model = (o: tf.Tensor2D) => hmmBody(o, values.probs_init, values.probs_trans, values.locs, values.scales);
    const elbo = new TraceEnumELBO();
    const loss = elbo.loss(model, function* () {}, obs);
    expect(elbo.maxPlateNesting).toBe(1);
    expect(relErr(loss, golden.float64.loss_priors_excluded)).toBeLessThan(1e-4);
    expect(relErr(loss, -ref)).toBeLessThan(1e-5);
  });
});
