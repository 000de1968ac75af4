// Pyro's tests/infer/test_enum.py with "sequential" enumeration in the guide:
// the model and guide run once per value of each sequential site, and the
// ELBO is the same exact expectation as with "parallel" (Pyro's semantics),
// checked against the same float64 oracle as guide-enum.test.ts.
import { describe, it } from "vitest";
import { setRngSeed } from "ppl-core";
import { checkLossAndGrads, checkMonteCarlo } from "./check.js";
import {
  bernoulliNonTree, bernoulliPyramid, elboBern, elboBernBern, elboBerns, elboCategoricals, elboIplate, elboPlate,
  elboPlateIplate, elboPlatePlate, enumeratePlate6, nonMeanFieldBernBern, nonMeanFieldBernNormal, type Strategy,
} from "./guide-cases.js";

const S = "sequential" as const;

/**
 * All-sequential, then one sequential site at each position among parallel
 * ones: n + 1 of Pyro's 2^n - 1 combinations with a sequential site (each
 * sequential site multiplies the runs by its support size, so the full
 * product would cost minutes on wasm; the all-parallel one is in guide-enum.test.ts).
 */
function combos(n: number): Strategy[][] {
  const out: Strategy[][] = [new Array<Strategy>(n).fill(S)];
  if (n > 1) for (let i = 0; i < n; i++) out.push(Array.from({ length: n }, (_, j): Strategy => (j === i ? S : "parallel")));
  return out;
}
const id = (es: Strategy[]) => es.map((e, i) => `enumerate${i + 1}=${e}`).join(" ");

describe("test_elbo_bern", () => {
  for (const s of [1, 10]) it(`enumerate1=sequential scale=${s}`, () => checkLossAndGrads(elboBern(S, s)));
});

describe("test_elbo_berns", () => {
  for (const es of combos(3)) it(id(es), () => checkLossAndGrads(elboBerns(es)));
});

describe("test_elbo_bern_bern", () => {
  for (const es of combos(2)) it(id(es), () => checkLossAndGrads(elboBernBern(es)));
});

describe("test_elbo_categoricals", () => {
  for (const es of combos(3)) it(`${id(es)} max_plate_nesting=0`, () => checkLossAndGrads(elboCategoricals(es, 0)));
  it(`${id([S, S, S])} max_plate_nesting=1`, () => checkLossAndGrads(elboCategoricals([S, S, S], 1)));
});

describe("test_elbo_plate", () => {
  for (const d of [1, 2]) for (const es of combos(2)) it(`plate_dim=${d} ${id(es)}`, () => checkLossAndGrads(elboPlate(d, es)));
});

describe("test_elbo_iplate", () => {
  for (const d of [1, 2]) for (const es of combos(2)) it(`plate_dim=${d} ${id(es)}`, () => checkLossAndGrads(elboIplate(d, es)));
});

describe("test_elbo_plate_plate", () => {
  for (const es of combos(4)) it(`outer_dim=2 inner_dim=2 ${id(es)}`, () => checkLossAndGrads(elboPlatePlate(es)));
});

describe("test_elbo_plate_iplate", () => {
  for (const es of combos(3).slice(0, 2)) it(`outer_dim=3 inner_dim=2 ${id(es)}`, () => checkLossAndGrads(elboPlateIplate(es)));
});

describe("test_non_mean_field_bern_bern_elbo_gradient", () => {
  for (const pi1 of [0.33, 0.43]) {
    for (const pi2 of [0.55, 0.27]) {
      it(`enumerate1=sequential pi1=${pi1} pi2=${pi2}`, () => checkLossAndGrads(nonMeanFieldBernBern(S, pi1, pi2)));
    }
  }
});

// Two of Pyro's eight parametrisations here (all eight run in parallel in guide-enum.test.ts).
describe("test_non_mean_field_bern_normal_elbo_gradient", () => {
  // Two of Pyro's eight (pi1, pi2, pi3); Pyro's prec 0.02; a fixed seed.
  for (const [pi1, pi2, pi3] of [[0.33, 0.55, 0.22], [0.44, 0.39, 0.29]] as const) {
    it(`enumerate1=sequential pi1=${pi1} pi2=${pi2} pi3=${pi3}`, () => {
      setRngSeed(0);
      checkMonteCarlo(nonMeanFieldBernNormal(S, pi1, pi2, pi3), 0.02);
    });
  }
});

describe("test_bernoulli_non_tree_elbo_gradient", () => {
  for (const [expand, bf, cf] of [[true, 0.03, 0.04], [false, 0.04, 0.06]] as const) {
    it(`enumerate1=sequential expand=${expand} b_factor=${bf} c_factor=${cf}`, () =>
      checkLossAndGrads(bernoulliNonTree(S, expand, bf, cf)));
  }
});

// Three of Pyro's sixteen parametrisations here (all sixteen run in parallel in guide-enum.test.ts).
describe("test_bernoulli_pyramid_elbo_gradient", () => {
  for (const [expand, nB, nC, piB] of [[true, 3, 5, 0.51], [false, 4, 6, 0.77], [false, 3, 6, 0.51]] as const) {
    it(`enumerate1=sequential expand=${expand} N_b=${nB} N_c=${nC} pi_b=${piB}`, () =>
      checkLossAndGrads(bernoulliPyramid(S, expand, nB, nC, piB)));
  }
});

describe("test_elbo_enumerate_plate_6", () => {
  it("enumerate1=sequential", () => checkLossAndGrads(enumeratePlate6(S)));
});
