// A factor constant along a plate of its ordinal (the plate is missing from its dims) counts once
// per plate member, also when it reaches a plan root without passing through a product step
// (found by this port; the root's multiplier in Plan.rootMultipliers).
import { describe, it } from "vitest";
import { checkLog, checkMax } from "./check.js";
import type { Problem } from "./problem.js";

describe("root factors constant along a plate of their ordinal", () => {
  // a lives in plate i (its only factor sits there) but that factor does not vary along i:
  // exact total 3 * log(e^0.3 + e^-1.2) = 1.5042; ppl returns log(e^0.3 + e^-1.2) = 0.5014
  const p: Problem = {
    sizes: new Map([["a", 2], ["i", 3]]),
    plates: new Set(["i"]),
    factors: [{ dims: ["a"], ordinal: ["i"], values: Float64Array.from([0.3, -1.2]) }],
  };
  it("log ring", () => checkLog(p));
  it("max ring", () => checkMax(p));

  // the same with no variable at all: a scalar factor in plate j of size 2 (exact 2 * 0.7)
  const q: Problem = { sizes: new Map([["j", 2]]), plates: new Set(["j"]), factors: [{ dims: [], ordinal: ["j"], values: Float64Array.from([0.7]) }] };
  it("a variable-free factor", () => checkLog(q));
});
