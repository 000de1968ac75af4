// Pyro's tests/ops/test_contract.py, the adjoint cases (ADJOINT_EXAMPLES, sizes 2).
// Pyro's marginal backend gives each input's posterior marginal on the backward
// pass; ppl's log ring gives the same thing as the gradient of the total with
// respect to each factor, checked here against central finite differences of
// the float64 oracle. The map and sample backends are ppl's MapRing and
// SampleRing with the backward pass (backward.ts): every summed variable gets a
// value, and the values are right.
import { describe, it } from "vitest";
import { checkGrad, checkLog, checkMax, checkSample } from "./check.js";
import { fromEquation } from "./problem.js";

const ADJOINT_EXAMPLES: [string, string][] = [
  ["a->", ""],
  ["a,a->", ""],
  ["ab,bc->", ""],
  ["a,abi->", "i"],
  ["a,abi,bcij->", "ij"],
  ["a,abi,bcij,bdik->", "ijk"],
  ["ai,ai->i", "i"],
  ["ai,abij->i", "ij"],
  ["ai,abij,acik->i", "ijk"],
];

describe("test_adjoint_marginal", () => {
  ADJOINT_EXAMPLES.forEach(([equation, plates], n) => {
    it(`test_adjoint_marginal[${equation}-${plates}]`, () => {
      const p = fromEquation(equation, plates, { seed: 900 + n, cycle: [2] });
      checkLog(p);
      checkGrad(p);
    });
  });
});

describe("test_adjoint_shape", () => {
  ADJOINT_EXAMPLES.forEach(([equation, plates], n) => {
    it(`test_adjoint_shape[map-${equation}-${plates}]`, () => {
      checkMax(fromEquation(equation, plates, { seed: 950 + n, cycle: [2] }));
    });
    it(`test_adjoint_shape[sample-${equation}-${plates}]`, () => {
      checkSample(fromEquation(equation, plates, { seed: 950 + n, cycle: [2] }), 970 + n, 3000);
    });
  });
});
