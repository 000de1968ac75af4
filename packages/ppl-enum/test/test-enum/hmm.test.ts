// Pyro's tests/infer/test_enum.py HMM cases: test_elbo_hmm_in_model,
// test_elbo_hmm_in_guide (the lengths ppl computes today; the longer ones are
// in hmm-long.test.ts), test_hmm_enumerate_model,
// test_hmm_enumerate_model_and_guide, and test_elbo_dbn_growth's model and
// guide as a correctness check at a small size (Pyro's growth timing is a
// bench, not a test). Oracles: the mean-field expectation written out, the
// marginals of the guide's chain, a float64 forward algorithm, or brute force;
// gradients against their finite differences and, where Pyro gives golden
// gradients (in the same softmax/exp unconstrained space), against those too.
import { describe, it } from "vitest";
import { checkLossAndGrads, pplGrad } from "./check.js";
import {
  P, dbn, expectClose, hmmEnumerateModel, hmmEnumerateModelAndGuide, hmmInGuide, hmmInGuideCases, hmmInModel, hmmInModelCases,
} from "./hmm-cases.js";

describe("test_elbo_hmm_in_model", () => {
  for (const [e, T, expand] of hmmInModelCases.filter(([e, T]) => e === P && T <= 3)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInModel(e, T, expand);
      checkLossAndGrads(c);
      expectClose(pplGrad(c), golden, "gradient");
    });
  }
});

describe("test_elbo_hmm_in_guide", () => {
  for (const [e, T, expand] of hmmInGuideCases.filter(([e, T]) => e === P && T <= 3)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInGuide(e, T, expand);
      checkLossAndGrads(c);
      expectClose(pplGrad(c), golden!, "gradient");
    });
  }
});

describe("test_hmm_enumerate_model", () => {
  for (const T of [2, 3, 4, 5, 10, 20, 30]) it(`num_steps=${T}`, () => checkLossAndGrads(hmmEnumerateModel(T)));
});

describe("test_hmm_enumerate_model_and_guide", () => {
  for (const T of [2, 3, 4, 5, 10, 20, 30]) it(`num_steps=${T}`, () => checkLossAndGrads(hmmEnumerateModelAndGuide(T)));
});

describe("test_elbo_dbn_growth (its model and guide, checked at a small size)", () => {
  it("size=3", () => checkLossAndGrads(dbn(P, 3)));
});
