// Pyro's test_enum cases written with Pyro's sequential plate
// (`for i in pyro.plate(...)`), now ppl's `plate(name, n, { sequential: true },
// function* (i) {...})`: the iplate variants of test_elbo_iplate,
// plate_iplate, iplate_plate, iplate_iplate, test_elbo_enumerate_plate_5/_6
// and test_elbo_enumerate_plates_6/_7/_8, against the same float64 oracles
// as their plain-loop versions.
import type * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { dist, plate, sample, scale, vindex } from "ppl-core";
import { configEnumerate } from "ppl-enum";
import { checkLossAndGrads } from "./check.js";
import { elboIplate, elboIplateIplate, elboIplatePlate, elboPlateIplate } from "./guide-cases.js";
import { expect as expectation, lg, lse, normalLogPdf } from "./oracle.js";
import { Params } from "./params.js";
import { cases, enumParams, names4, plateData, scaled } from "./fixtures.js";

const P = "parallel" as const;
const seq = { sequential: true as const };

describe("test_elbo_iplate", () => {
  for (const d of [1, 2]) it(`plate_dim=${d} enumerate1,2=parallel`, () => checkLossAndGrads(elboIplate(d, [P, P], true)));
});

describe("test_elbo_plate_iplate", () => {
  it("outer_dim=3 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboPlateIplate([P, P, P], true)));
});

// Rank 7 (see guide-enum.test.ts): right, or refused by ppl's rank-6 limit.
describe("test_elbo_iplate_plate", () => {
  it("outer_dim=2 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboIplatePlate([P, P, P], true)));
});

describe("test_elbo_iplate_iplate", () => {
  it("outer_dim=2 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboIplateIplate([P, P, P], true)));
});

const probsC3 = [[[0.4, 0.5, 0.1], [0.3, 0.5, 0.2]], [[0.3, 0.4, 0.3], [0.4, 0.4, 0.2]]];

describe("test_elbo_enumerate_plate_5", () => {
  // Pyro's expected side: model_iplate with guide_iplate, max_plate_nesting=0.
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", probsC3, "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [1, 2];
  it("model_iplate/guide_iplate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 0,
    model: (theta) => configEnumerate(function* () {
      const a = yield* sample("a", dist.Categorical(params.tensor(theta, "model_probs_a")));
      yield* plate("b_axis", 2, seq, function* (i) {
        const b = yield* sample(`b_${i}`, dist.Categorical(params.tensor(theta, "model_probs_b")));
        yield* sample(`c_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_c"), "...", a, b, ":")), { obs: data[i]! });
      });
    }),
    guide: (theta) => configEnumerate(function* () {
      yield* plate("b_axis", 2, seq, function* (i) {
        yield* sample(`b_${i}`, dist.Categorical(params.tensor(theta, "guide_probs_b")));
      });
    }),
    oracle: (th) => {
      const [pa, pb, pc, gb] = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"].map((k) => params.value(th, k));
      const logQ = (b: number[]) => b.reduce((s, bi) => s + lg(gb!(bi)), 0);
      return expectation([2, 2], logQ, (b) => b.reduce((s, bi) => s + lg(pb!(bi)), 0) - logQ(b) +
        lse([2], ([a]) => lg(pa!(a!)) + b.reduce((s, bi, i) => s + lg(pc!(a!, bi, data[i]!)), 0)));
    },
  }));
});

describe("test_elbo_enumerate_plate_6", () => {
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", probsC3, "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [1, 2];
  for (const e of ["parallel", "sequential"] as const) {
    it(`model_iplate enumerate1=${e}`, () => checkLossAndGrads({
      params,
      maxPlateNesting: 0,
      model: (theta) => configEnumerate(function* () {
        const a = yield* sample("a", dist.Categorical(params.tensor(theta, "model_probs_a")));
        const b = yield* sample("b", dist.Categorical(params.tensor(theta, "model_probs_b")));
        yield* plate("b_axis", 2, seq, function* (i) {
          yield* sample(`c_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_c"), "...", a, b, ":")), { obs: data[i]! });
        });
      }),
      guide: (theta) => function* () {
        yield* sample("b", dist.Categorical(params.tensor(theta, "guide_probs_b")), { infer: { enumerate: e } });
      },
      oracle: (th) => {
        const [pa, pb, pc, gb] = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"].map((k) => params.value(th, k));
        return expectation([2], ([b]) => lg(gb!(b!)), ([b]) => lg(pb!(b!)) - lg(gb!(b!)) +
          lse([2], ([a]) => lg(pa!(a!)) + data.reduce((s, d) => s + lg(pc!(a!, b!, d)), 0)));
      },
    }));
  }
});

describe("test_elbo_enumerate_plates_6", () => {
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("probs_d", [[[0.4, 0.6], [0.3, 0.7]], [[0.3, 0.7], [0.2, 0.8]]], "simplex");
  const data = [[0, 1], [0, 0]];
  const names = ["probs_a", "probs_b", "probs_c", "probs_d"];
  const oracle = (th: number[]) => {
    const [pa, pb, pc, pd] = names.map((n) => params.value(th, n));
    return lse([2, 2, 2, 2, 2], ([a, b0, b1, c0, c1]) => {
      const b = [b0!, b1!];
      const c = [c0!, c1!];
      let x = lg(pa!(a!)) + b.reduce((y, bi) => y + lg(pb!(a!, bi)), 0) + c.reduce((y, cj) => y + lg(pc!(a!, cj)), 0);
      for (const i of [0, 1]) for (const j of [0, 1]) x += lg(pd!(b[i]!, c[j]!, data[i]![j]!));
      return x;
    });
  };
  const ts = (theta: tf.Tensor1D) => names.map((n) => params.tensor(theta, n)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  it("model_iplate_iplate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 0,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, seq, function* (i) {
        return yield* sample(`b_${i}`, dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, seq, function* (j) {
        return yield* sample(`c_${j}`, dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, seq, function* (i) {
        yield* plate("c_axis", 2, seq, function* (j) {
          yield* sample(`d_${i}_${j}`, dist.Categorical(vindex(pd, "...", b[i]!, c[j]!, ":")), { obs: data[i]![j]! });
        });
      });
    }),
    oracle,
  }));
  it("model_iplate_plate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, seq, function* (i) {
        return yield* sample(`b_${i}`, dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, function* () {
        return yield* sample("c", dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, seq, function* (i) {
        yield* plate("c_axis", 2, function* () {
          yield* sample(`d_${i}`, dist.Categorical(vindex(pd, "...", b[i]!, c, ":")), { obs: data[i]! });
        });
      });
    }),
    oracle,
  }));
  it("model_plate_iplate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, function* () {
        return yield* sample("b", dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, seq, function* (j) {
        return yield* sample(`c_${j}`, dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, function* () {
        yield* plate("c_axis", 2, seq, function* (j) {
          yield* sample(`d_${j}`, dist.Categorical(vindex(pd, "...", b, c[j]!, ":")), { obs: data.map((r) => r[j]!) });
        });
      });
    }),
    oracle,
  }));
});

describe("test_elbo_enumerate_plates_7", () => {
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("probs_d", [[0.3, 0.7], [0.2, 0.8]], "simplex")
    .add("probs_e", [[0.4, 0.6], [0.3, 0.7]], "simplex");
  const data = [[0, 1], [0, 0]];
  const names = ["probs_a", "probs_b", "probs_c", "probs_d", "probs_e"];
  const oracle = (th: number[]) => {
    const [pa, pb, pc, pd, pe] = names.map((n) => params.value(th, n));
    return lse([2, 2, 2, 2, 2], ([a, b0, b1, c0, c1]) => {
      const b = [b0!, b1!];
      const c = [c0!, c1!];
      let x = lg(pa!(a!)) + b.reduce((y, bi) => y + lg(pb!(a!, bi)), 0) + c.reduce((y, cj) => y + lg(pc!(a!, cj)), 0);
      for (const i of [0, 1]) for (const j of [0, 1]) x += lg(pd!(b[i]!, data[i]![j]!)) + lg(pe!(c[j]!, data[i]![j]!));
      return x;
    });
  };
  const ts = (theta: tf.Tensor1D) => names.map((n) => params.tensor(theta, n)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  it("model_iplate_iplate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 0,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd, pe] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, seq, function* (i) {
        return yield* sample(`b_${i}`, dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, seq, function* (j) {
        return yield* sample(`c_${j}`, dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, seq, function* (i) {
        yield* plate("c_axis", 2, seq, function* (j) {
          yield* sample(`d_${i}_${j}`, dist.Categorical(vindex(pd, "...", b[i]!, ":")), { obs: data[i]![j]! });
          yield* sample(`e_${i}_${j}`, dist.Categorical(vindex(pe, "...", c[j]!, ":")), { obs: data[i]![j]! });
        });
      });
    }),
    oracle,
  }));
  it("model_iplate_plate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd, pe] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, seq, function* (i) {
        return yield* sample(`b_${i}`, dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, function* () {
        return yield* sample("c", dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, seq, function* (i) {
        yield* plate("c_axis", 2, function* () {
          yield* sample(`d_${i}`, dist.Categorical(vindex(pd, "...", b[i]!, ":")), { obs: data[i]! });
          yield* sample(`e_${i}`, dist.Categorical(vindex(pe, "...", c, ":")), { obs: data[i]! });
        });
      });
    }),
    oracle,
  }));
  it("model_plate_iplate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc, pd, pe] = ts(theta);
      const a = yield* sample("a", dist.Categorical(pa));
      const b = yield* plate("b_axis", 2, function* () {
        return yield* sample("b", dist.Categorical(vindex(pb, "...", a, ":")));
      });
      const c = yield* plate("c_axis", 2, seq, function* (j) {
        return yield* sample(`c_${j}`, dist.Categorical(vindex(pc, "...", a, ":")));
      });
      yield* plate("b_axis", 2, function* () {
        yield* plate("c_axis", 2, seq, function* (j) {
          const obs = data.map((r) => r[j]!);
          yield* sample(`d_${j}`, dist.Categorical(vindex(pd, "...", b, ":")), { obs });
          yield* sample(`e_${j}`, dist.Categorical(vindex(pe, "...", c[j]!, ":")), { obs });
        });
      });
    }),
    oracle,
  }));
});

describe("test_elbo_enumerate_plates_8", () => {
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", probsC3, "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [[0, 1], [0, 2]];
  const names = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"];
  const oracle = (th: number[]) => {
    const [pa, pb, pc, gb] = names.map((k) => params.value(th, k));
    const logQ = (b: number[]) => b.reduce((s, bi) => s + lg(gb!(bi)), 0);
    return expectation([2, 2], logQ, (b) => b.reduce((s, bi) => s + lg(pb!(bi)), 0) - logQ(b) +
      lse([2], ([a]) => lg(pa!(a!)) + b.reduce((s, bi, i) => s + lg(pc!(a!, bi, data[0]![i]!)) + lg(pc!(a!, bi, data[1]![i]!)), 0)));
  };
  const guideIplate = (theta: tf.Tensor1D) => configEnumerate(function* () {
    yield* plate("outer", 2, seq, function* (i) {
      yield* sample(`b_${i}`, dist.Categorical(params.tensor(theta, "guide_probs_b")));
    });
  });
  it("model_iplate_iplate/guide_iplate (Pyro's expected side)", () => checkLossAndGrads({
    params,
    maxPlateNesting: 0,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc] = names.map((k) => params.tensor(theta, k));
      const a = yield* sample("a", dist.Categorical(pa!));
      yield* plate("outer", 2, seq, function* (i) {
        const b = yield* sample(`b_${i}`, dist.Categorical(pb!));
        yield* plate("inner", 2, seq, function* (j) {
          yield* sample(`c_${i}_${j}`, dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data[j]![i]! });
        });
      });
    }),
    guide: guideIplate,
    oracle,
  }));
  it("iplate-plate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc] = names.map((k) => params.tensor(theta, k));
      const a = yield* sample("a", dist.Categorical(pa!));
      yield* plate("outer", 2, seq, function* (i) {
        const b = yield* sample(`b_${i}`, dist.Categorical(pb!));
        yield* plate("inner", 2, function* () {
          yield* sample(`c_${i}`, dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data.map((r) => r[i]!) });
        });
      });
    }),
    guide: guideIplate,
    oracle,
  }));
});

// Pyro's hand models of the model-side plate tests, which unroll each plate
// with `for i in pyro.plate(...)`, run through ppl with its sequential plate
// (max_plate_nesting=0) against the same float64 brute force as the
// vectorised auto models in plates.test.ts.

describe("test_elbo_enumerate_plate_4 (hand_model)", () => {
  const params = new Params()
    .add("probs_a", [0.4, 0.6], "simplex")
    .add("probs_b", [0.6, 0.4], "simplex")
    .add("locs", [-1, 1])
    .add("scales", [1, 2], "positive");
  const outerData = 2.0;
  const innerData = [0.5, 1.5];
  for (const s of [1, 10]) {
    it(`outer_obs=true inner_obs=true scale=${s}`, () => checkLossAndGrads({
      params,
      maxPlateNesting: 0,
      model: (theta) => scaled(function* () {
        const locs = params.tensor(theta, "locs");
        const scales = params.tensor(theta, "scales");
        const a = yield* sample("a", dist.Categorical(params.tensor(theta, "probs_a")), { infer: { enumerate: P } });
        yield* sample("outer_obs", dist.Normal(0, vindex(scales, "...", a)), { obs: outerData });
        yield* plate("inner", 2, seq, function* (i) {
          const b = yield* sample(`b_${i}`, dist.Categorical(params.tensor(theta, "probs_b")), { infer: { enumerate: P } });
          yield* sample(`inner_obs_${i}`, dist.Normal(vindex(locs, "...", b), vindex(scales, "...", a)), { obs: innerData[i]! });
        });
      }, s),
      oracle: (th) => {
        const [pa, pb, locs, scales] = ["probs_a", "probs_b", "locs", "scales"].map((n) => params.value(th, n));
        return s * lse([2, 2, 2], ([a, b0, b1]) =>
          lg(pa!(a!)) + lg(pb!(b0!)) + lg(pb!(b1!)) + normalLogPdf(outerData, 0, scales!(a!)) +
          [b0!, b1!].reduce((x, b, i) => x + normalLogPdf(innerData[i]!, locs!(b), scales!(a!)), 0));
      },
    }));
  }
});

describe("test_elbo_enumerate_plates_1 (hand_model)", () => {
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [0.75, 0.25], "simplex")
    .add("probs_d", [[0.4, 0.6], [0.3, 0.7]], "simplex");
  const bData = [0, 1];
  const dData = [0, 0, 1];
  const names = ["probs_a", "probs_b", "probs_c", "probs_d"];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      maxPlateNesting: 0,
      model: (theta) => configEnumerate(scaled(function* () {
        const [pa, pb, pc, pd] = names.map((n) => params.tensor(theta, n));
        yield* plate("a_axis", 2, seq, function* (i) {
          const a = yield* sample(`a_${i}`, dist.Categorical(pa!));
          yield* sample(`b_${i}`, dist.Categorical(vindex(pb!, "...", a, ":")), { obs: bData[i]! });
        });
        yield* plate("c_axis", 3, seq, function* (j) {
          const c = yield* sample(`c_${j}`, dist.Categorical(pc!));
          yield* sample(`d_${j}`, dist.Categorical(vindex(pd!, "...", c, ":")), { obs: dData[j]! });
        });
      }, s)),
      oracle: (th) => {
        const [pa, pb, pc, pd] = names.map((n) => params.value(th, n));
        return s * lse([2, 2, 2, 2, 2], ([a0, a1, c0, c1, c2]) =>
          [a0!, a1!].reduce((x, a, i) => x + lg(pa!(a)) + lg(pb!(a, bData[i]!)), 0) +
          [c0!, c1!, c2!].reduce((x, c, j) => x + lg(pc!(c)) + lg(pd!(c, dData[j]!)), 0));
      },
    }));
  }
});

describe("test_elbo_enumerate_plates_2 (hand_model)", () => {
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex");
  const bData = [0, 1];
  const cData = [0, 0, 1];
  const names = ["probs_a", "probs_b", "probs_c"];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      maxPlateNesting: 0,
      model: (theta) => configEnumerate(scaled(function* () {
        const [pa, pb, pc] = names.map((n) => params.tensor(theta, n));
        const a = yield* sample("a", dist.Categorical(pa!));
        yield* plate("b_axis", 2, seq, function* (i) {
          yield* sample(`b_${i}`, dist.Categorical(vindex(pb!, "...", a, ":")), { obs: bData[i]! });
        });
        yield* plate("c_axis", 3, seq, function* (j) {
          yield* sample(`c_${j}`, dist.Categorical(vindex(pc!, "...", a, ":")), { obs: cData[j]! });
        });
      }, s)),
      oracle: (th) => {
        const [pa, pb, pc] = names.map((n) => params.value(th, n));
        return s * lse([2], ([a]) =>
          lg(pa!(a!)) + bData.reduce((x, v) => x + lg(pb!(a!, v)), 0) + cData.reduce((x, v) => x + lg(pc!(a!, v)), 0));
      },
    }));
  }
});

/**
 * Pyro's hand models of plates_4 and plates_5: a global a, b per member of a
 * sequential outer plate, observed c in a sequential inner plate; c's parents
 * are b alone (plates_4) or a and b (plates_5).
 */
function handPlatesModel(title: string, probsC: number[][] | number[][][], cDependsOnA: boolean): void {
  describe(title, () => {
    const params = new Params()
      .add("probs_a", [0.45, 0.55], "simplex")
      .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
      .add("probs_c", probsC, "simplex");
    const data = [[0, 1], [0, 0]];
    const names = ["probs_a", "probs_b", "probs_c"];
    for (const s of [1, 10]) {
      it(`scale=${s}`, () => checkLossAndGrads({
        params,
        maxPlateNesting: 0,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc] = names.map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          yield* plate("outer", 2, seq, function* (i) {
            const b = yield* sample(`b_${i}`, dist.Categorical(vindex(pb!, "...", a, ":")));
            yield* plate("inner", 2, seq, function* (j) {
              const probs = cDependsOnA ? vindex(pc!, "...", a, b, ":") : vindex(pc!, "...", b, ":");
              yield* sample(`c_${i}_${j}`, dist.Categorical(probs), { obs: data[i]![j]! });
            });
          });
        }, s)),
        oracle: (th) => {
          const [pa, pb, pc] = names.map((n) => params.value(th, n));
          const lc = (a: number, b: number, c: number) => lg(cDependsOnA ? pc!(a, b, c) : pc!(b, c));
          return s * lse([2, 2, 2], ([a, b0, b1]) =>
            lg(pa!(a!)) + [b0!, b1!].reduce((x, b, i) =>
              x + lg(pb!(a!, b)) + [0, 1].reduce((y, j) => y + lc(a!, b, data[i]![j]!), 0), 0));
        },
      }));
    }
  });
}

handPlatesModel("test_elbo_enumerate_plates_4 (hand_model)", [[0.4, 0.6], [0.3, 0.7]], false);
handPlatesModel("test_elbo_enumerate_plates_5 (hand_model)", [[[0.4, 0.6], [0.3, 0.7]], [[0.2, 0.8], [0.1, 0.9]]], true);

// Pyro's hand models of test_elbo_enumerate_plate_2 and _3: the masked
// plate replaced by a sequential plate over the unmasked members only.

describe("test_elbo_enumerate_plate_2 (hand_model)", () => {
  const params = enumParams();
  for (const s of [1, 10]) {
    for (const [id, , m] of cases) {
      it(`${id} scale=${s}`, () => checkLossAndGrads({
        params,
        maxPlateNesting: 0,
        model: (theta) => function* () {
          const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
          yield* scale(s, function* () {
            yield* plate("data", m, seq, function* (i) {
              const y = yield* sample(`y_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")),
                { infer: { enumerate: P } });
              yield* sample(`z_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: plateData[i]! });
            });
          });
        },
        guide: (theta) => configEnumerate(function* () {
          yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
        }),
        oracle: (th) => {
          const [gx, px, py, pz] = names4.map((k) => params.value(th, k));
          return expectation([2], ([x]) => lg(gx!(x!)), ([x]) => lg(px!(x!)) - lg(gx!(x!)) +
            s * plateData.slice(0, m).reduce((a, d) => a + lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, d))), 0));
        },
      }));
    }
  }
});

describe("test_elbo_enumerate_plate_3 (hand_model/hand_guide)", () => {
  const params = enumParams();
  for (const s of [1, 10]) {
    for (const [id, , m] of cases) {
      it(`${id} scale=${s}`, () => checkLossAndGrads({
        params,
        maxPlateNesting: 0,
        model: (theta) => scaled(function* () {
          yield* plate("data", m, seq, function* (i) {
            const x = yield* sample(`x_${i}`, dist.Categorical(params.tensor(theta, "model_probs_x")));
            const y = yield* sample(`y_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")),
              { infer: { enumerate: P } });
            yield* sample(`z_${i}`, dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: plateData[i]! });
          });
        }, s),
        guide: (theta) => scaled(configEnumerate(function* () {
          yield* plate("data", m, seq, function* (i) {
            yield* sample(`x_${i}`, dist.Categorical(params.tensor(theta, "guide_probs_x")));
          });
        }), s),
        oracle: (th) => {
          const [gx, px, py, pz] = names4.map((k) => params.value(th, k));
          return s * plateData.slice(0, m).reduce((a, d) => a + expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
            lg(px!(x!)) - lg(gx!(x!)) + lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, d)))), 0);
        },
      }));
    }
  }
});
