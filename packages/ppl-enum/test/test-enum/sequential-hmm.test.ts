// Pyro's test_elbo_hmm_in_model and test_elbo_hmm_in_guide with the guide's
// chain enumerated sequentially: the same float64 oracles and Pyro's golden
// gradients as the parallel cases in hmm.test.ts.
import { describe, it } from "vitest";
import { checkLossAndGrads, pplGrad } from "./check.js";
import { S, expectClose, hmmInGuide, hmmInGuideCases, hmmInModel, hmmInModelCases } from "./hmm-cases.js";

describe("test_elbo_hmm_in_model", () => {
  for (const [e, T, expand] of hmmInModelCases.filter(([e]) => e === S)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInModel(e, T, expand);
      checkLossAndGrads(c);
      expectClose(pplGrad(c), golden, "gradient");
    });
  }
});

describe("test_elbo_hmm_in_guide", () => {
  for (const [e, T, expand] of hmmInGuideCases.filter(([e]) => e === S)) {
    it(`enumerate1=${e} num_steps=${T} expand=${expand}`, () => {
      const { c, golden } = hmmInGuide(e, T, expand);
      checkLossAndGrads(c);
      expectClose(pplGrad(c), golden!, "gradient");
    });
  }
});
