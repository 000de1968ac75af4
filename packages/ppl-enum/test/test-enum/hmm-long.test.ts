// Pyro's longer test_elbo_hmm_in_model / test_elbo_hmm_in_guide cases and
// test_elbo_dbn_growth's model at sizes 4 and 5: a markov chain enumerated in
// the guide. ppl refuses them today ("would need a tensor of rank T"): it
// forms the guide's joint over every enumerated variable instead of
// contracting the chain (see ../README.md).
import { describe, it } from "vitest";
import { checkLossAndGrads, pplGrad } from "./check.js";
import { P, dbn, expectClose, hmmInGuide, hmmInGuideCases, hmmInModel, hmmInModelCases } from "./hmm-cases.js";

describe("test_elbo_hmm_in_model", () => {
  for (const [e, T, expand] of hmmInModelCases.filter(([e, T]) => e === P && T > 3)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInModel(e, T, expand);
      checkLossAndGrads(c);
      expectClose(pplGrad(c), golden, "gradient");
    });
  }
});

describe("test_elbo_hmm_in_guide", () => {
  for (const [e, T, expand] of hmmInGuideCases.filter(([e, T]) => e === P && T > 3)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInGuide(e, T, expand);
      checkLossAndGrads(c);
      if (golden !== undefined) expectClose(pplGrad(c), golden, "gradient");
    });
  }
});

describe("test_elbo_dbn_growth (its model and guide)", () => {
  for (const size of [4, 5]) it(`size=${size}`, () => checkLossAndGrads(dbn(P, size)));
});
