// Exact MAP disaggregation (ppl-hmm's factorialMap, and inferDiscrete at
// temperature 0 on the factorial model, vectorised and as a markov loop) against a float64 brute-force
// arg-max over every joint path; the approximate decoder against the same
// arg-max and against exact MAP on a generated household; the refusal beyond
// ppl-hmm's joint-state limit.
import { describe, expect, it } from "vitest";
import { DataError, MAX_EXACT_STATES } from "ppl-hmm";
import { approxMap, logJoint } from "../src/approx.js";
import { appliances } from "../src/catalogue.js";
import { generate, householdParams } from "../src/data.js";
import { exactMap, inferDiscreteMap } from "../src/exact.js";
import { stateAccuracy } from "../src/metrics.js";
import { type Globals, cataloguePrior } from "../src/model.js";
import { bruteForce, logPath } from "./oracle.js";

function household(M: number, T: number, seed: number) {
  const types = appliances(M);
  const truth = householdParams(types, seed);
  const day = generate(truth, T, seed);
  const prior = cataloguePrior(types);
  // noisier than the catalogue's meter, so the tiny cases have real ties to break
  const globals: Globals = { probsTrans: truth.map((p) => p.probsTrans), locs: truth.map((p) => p.locs), scales: truth.map((p) => p.scales), noise: 0.01 };
  return { day, prior, globals, probsInit: prior.appliances.map((a) => a.probsInit) };
}

/** A short stretch where appliances switch, with the meter blurred so the MAP is not simply the truth. */
const TINY: { M: number; y: number[] }[] = [
  { M: 2, y: [0.09, 2.3, 2.25, 0.2, 0.1] },
  { M: 3, y: [0.5, 2.8, 1.45] },
  // 2M = 8 enumeration dims for inferDiscrete: once refused for the backend's rank
  { M: 4, y: [0.5, 3.05, 1.45] },
];

describe("exact MAP equals the brute-force arg-max", () => {
  for (const c of TINY) {
    it(`M = ${c.M}, T = ${c.y.length}: factorialMap and inferDiscrete on the model (vectorised and as a loop)`, () => {
      const { prior, globals, probsInit } = household(c.M, 10, 1);
      const blurred = { ...globals, scales: globals.scales.map((s) => s.map((x) => x + 0.2)) };
      const bf = bruteForce(c.y, blurred, probsInit);
      const z = exactMap(c.y, probsInit, blurred);
      expect(z).toEqual(bf.best);
      expect(logPath(c.y, z, blurred, probsInit)).toBeCloseTo(bf.bestLogJoint, 8);
      for (const form of ["vectorized", "loop"] as const) expect(inferDiscreteMap(c.y, prior, blurred, form), form).toEqual(bf.best);
    });
  }

  it(`refuses more than ${MAX_EXACT_STATES} joint states with a pointer to the approximation`, () => {
    const { day, globals, probsInit } = household(10, 5, 0);
    expect(() => exactMap(day.mains, probsInit, globals)).toThrowError(DataError);
    expect(() => exactMap(day.mains, probsInit, globals)).toThrowError(/exact inference over 59049 joint states .* is over 50000: use the approximate inference/);
  });
});

describe("the approximate decoder", () => {
  it("scores a path with the same density as the oracle (logJoint)", () => {
    const { globals, probsInit } = household(3, 10, 1);
    const z = [[0, 1, 1], [2, 0, 1], [0, 0, 1]];
    const y = [0.5, 2.8, 1.45];
    expect(logJoint(y, probsInit, globals, z)).toBeCloseTo(logPath(y, z, globals, probsInit), 9);
  });

  for (const c of TINY) {
    it(`finds the brute-force arg-max, M = ${c.M}, T = ${c.y.length}`, () => {
      const { globals, probsInit } = household(c.M, 10, 1);
      const blurred = { ...globals, scales: globals.scales.map((s) => s.map((x) => x + 0.2)) };
      expect(approxMap(c.y, probsInit, blurred).states).toEqual(bruteForce(c.y, blurred, probsInit).best);
    });
  }

  it("agrees with exact MAP on a generated household (M = 3, 2 hours): state accuracy within 2 points", () => {
    const { day, globals, probsInit } = household(3, 120, 4);
    const exact = exactMap(day.mains, probsInit, globals);
    const approx = approxMap(day.mains, probsInit, globals).states;
    for (let m = 0; m < 3; m++) {
      const a = stateAccuracy(approx[m]!, day.states[m]!);
      const e = stateAccuracy(exact[m]!, day.states[m]!);
      expect(Math.abs(a - e), `appliance ${m}`).toBeLessThanOrEqual(0.02);
    }
    // and the approximation's path is (nearly) as probable as the MAP
    expect(logJoint(day.mains, probsInit, globals, approx)).toBeGreaterThan(logJoint(day.mains, probsInit, globals, exact) - 5);
  });
});
