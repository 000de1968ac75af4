// The package seam (issue 13): ppl-core's main entry is the user API, and what
// the sibling packages need beyond it lives in "ppl-core/internal" only.
import { describe, expect, it } from "vitest";
import * as core from "ppl-core";
import * as internal from "ppl-core/internal";

describe("ppl-core's entries", () => {
  it("share no export: an internal is not also a user function", () => {
    const both = Object.keys(internal).filter((k) => k in core);
    expect(both).toEqual([]);
  });

  it("the main entry has what a Pyro user calls, the internal one the fused ops", () => {
    for (const k of ["sample", "param", "plate", "markov", "vectorizedMarkov", "vindex", "SVI", "TraceELBO", "Adam", "dist", "DiscreteHMM", "hmmViterbi"]) {
      expect(core).toHaveProperty(k);
    }
    for (const k of ["parseOptions", "weightedSum", "runGenerator", "stepCached", "withStepCache", "markArangeIndex", "formatShape", "sumRightmost", "MAX_SAFE_RANK", "chainLogSumExp"]) {
      expect(internal).toHaveProperty(k);
      expect(core).not.toHaveProperty(k);
    }
  });
});
