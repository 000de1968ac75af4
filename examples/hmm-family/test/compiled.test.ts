// Every model of hmm.py on the tiny instance of loss-and-grads.test.ts, through JitTraceEnumELBO: recorded on
// the first call and replayed on three more at other values of the sites and params, each call's loss against
// the float64 brute-force sum over every hidden path and its gradients against central differences of it.
import { describe, it } from "vitest";
import { CASES } from "./cases.js";
import { expectCompiledMatchesOracle } from "./harness.js";

describe("hmm.py's models through JitTraceEnumELBO: every replayed loss and gradient equals the float64 oracle", () => {
  for (const [what, c] of CASES) {
    it(what, () => expectCompiledMatchesOracle(c));
  }
});
