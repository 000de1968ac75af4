// A handful of the ported test_enum cases (Pyro's tests/infer/test_enum.py) run through JitTraceEnumELBO:
// recorded on the first call, replayed at two other parameter points, each loss against the same float64
// oracle as the interpreted test (brute force, exact expectation, forward algorithm) and each gradient
// against the oracle's finite differences (check.ts, checkCompiledLossAndGrads).
import { describe, it } from "vitest";
import { checkCompiledLossAndGrads } from "./check.js";
import {
  bernoulliNonTree, bernoulliPyramid, elboBern, elboCategoricals, elboIplate, elboPlate, elboPlatePlate, nonMeanFieldBernBern,
} from "./guide-cases.js";
import { P, S, dbn, hmmEnumerateModel, hmmEnumerateModelAndGuide, hmmInGuide, hmmInModel } from "./hmm-cases.js";

describe("JitTraceEnumELBO on test_enum cases", () => {
  it("test_elbo_bern enumerate1=parallel scale=10", () => checkCompiledLossAndGrads(elboBern(P, 10)));
  it("test_elbo_bern enumerate1=sequential scale=1", () => checkCompiledLossAndGrads(elboBern(S, 1)));
  it("test_elbo_categoricals enumerate1,2,3=parallel max_plate_nesting=1", () =>
    checkCompiledLossAndGrads(elboCategoricals([P, P, P], 1)));
  it("test_elbo_plate plate_dim=2 enumerate1,2=parallel", () => checkCompiledLossAndGrads(elboPlate(2, [P, P])));
  it("test_elbo_iplate plate_dim=2 enumerate1,2=parallel", () => checkCompiledLossAndGrads(elboIplate(2, [P, P])));
  it("test_elbo_plate_plate outer_dim=2 inner_dim=2 enumerate1..4=parallel", () =>
    checkCompiledLossAndGrads(elboPlatePlate([P, P, P, P])));
  it("test_non_mean_field_bern_bern_elbo_gradient enumerate1=parallel pi1=0.43 pi2=0.27", () =>
    checkCompiledLossAndGrads(nonMeanFieldBernBern(P, 0.43, 0.27)));
  it("test_bernoulli_non_tree_elbo_gradient enumerate1=parallel expand=false b_factor=0.04 c_factor=0.06", () =>
    checkCompiledLossAndGrads(bernoulliNonTree(P, false, 0.04, 0.06)));
  it("test_bernoulli_pyramid_elbo_gradient enumerate1=parallel expand=true N_b=3 N_c=5 pi_b=0.51", () =>
    checkCompiledLossAndGrads(bernoulliPyramid(P, true, 3, 5, 0.51)));
  it("test_elbo_hmm_in_model enumerate1=parallel num_steps=3 expand=false", () =>
    checkCompiledLossAndGrads(hmmInModel(P, 3, false).c));
  it("test_elbo_hmm_in_guide enumerate1=parallel num_steps=3 expand=true", () =>
    checkCompiledLossAndGrads(hmmInGuide(P, 3, true).c));
  for (const T of [3, 10, 30]) {
    it(`test_hmm_enumerate_model num_steps=${T}`, () => checkCompiledLossAndGrads(hmmEnumerateModel(T)));
    it(`test_hmm_enumerate_model_and_guide num_steps=${T}`, () => checkCompiledLossAndGrads(hmmEnumerateModelAndGuide(T)));
  }
  it("test_elbo_dbn_growth (its model and guide) size=3", () => checkCompiledLossAndGrads(dbn(P, 3)));
});
