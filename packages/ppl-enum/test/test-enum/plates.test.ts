// Pyro's tests/infer/test_enum.py, model-side enumeration in plates:
// test_elbo_enumerate_plate_4 and test_elbo_enumerate_plates_1 .. _7. Pyro
// compares each auto model with a hand model that unrolls the plates; here
// the hand model is a float64 brute-force sum over every unrolled discrete
// variable, and gradients are checked against its finite differences.
// Pyro's sequential plates (`for i in pyro.plate(...)`) are written as plain
// loops over differently named sites, which has the same joint density.
import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { PPLModelError, dist, plate, sample, vindex } from "ppl-core";
import { TraceEnumELBO, configEnumerate } from "ppl-enum";
import { checkLossAndGrads, refusedOrRight } from "./check.js";

/** Pyro's reason for refusing plates that cross without nesting (a variable depending on two independent plates). */
const nonTreePlates = { error: PPLModelError, message: /expected tree-structured plate nesting/ };
import { lg, lse, normalLogPdf } from "./oracle.js";
import { Params } from "./params.js";
import { scaled } from "./fixtures.js";

const en = { infer: { enumerate: "parallel" as const } };

describe("test_elbo_enumerate_plate_4", () => {
  //    a ---> outer_obs
  //      \
  //  +-----\------------------+
  //  | b ---> inner_obs   N=2 |
  //  +------------------------+
  const params = new Params()
    .add("probs_a", [0.4, 0.6], "simplex")
    .add("probs_b", [0.6, 0.4], "simplex")
    .add("locs", [-1, 1])
    .add("scales", [1, 2], "positive");
  const outerData = 2.0;
  const innerData = [0.5, 1.5];
  for (const s of [1, 10]) {
    for (const [outerObs, innerObs] of [[false, true], [true, false], [true, true]] as const) {
      it(`outer_obs=${outerObs} inner_obs=${innerObs} scale=${s}`, () => {
        checkLossAndGrads({
          params,
          maxPlateNesting: 1,
          model: (theta) => scaled(function* () {
            const probsA = params.tensor(theta, "probs_a");
            const probsB = params.tensor(theta, "probs_b");
            const locs = params.tensor(theta, "locs");
            const scales = params.tensor(theta, "scales");
            const a = yield* sample("a", dist.Categorical(probsA), en);
            if (outerObs) yield* sample("outer_obs", dist.Normal(0, vindex(scales, "...", a)), { obs: outerData });
            yield* plate("inner", 2, function* () {
              const b = yield* sample("b", dist.Categorical(probsB), en);
              if (innerObs) {
                yield* sample("inner_obs", dist.Normal(vindex(locs, "...", b), vindex(scales, "...", a)), { obs: innerData });
              }
            });
          }, s),
          oracle: (th) => {
            const pa = params.value(th, "probs_a");
            const pb = params.value(th, "probs_b");
            const locs = params.value(th, "locs");
            const scales = params.value(th, "scales");
            return s * lse([2, 2, 2], ([a, b0, b1]) => {
              let x = lg(pa(a!)) + lg(pb(b0!)) + lg(pb(b1!));
              if (outerObs) x += normalLogPdf(outerData, 0, scales(a!));
              if (innerObs) [b0!, b1!].forEach((b, i) => (x += normalLogPdf(innerData[i]!, locs(b), scales(a!))));
              return x;
            });
          },
        });
      });
    }
  }
});

describe("test_elbo_enumerate_plates_1", () => {
  //  +-----------------+
  //  | a ----> b   M=2 |
  //  +-----------------+
  //  +-----------------+
  //  | c ----> d   N=3 |
  //  +-----------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [0.75, 0.25], "simplex")
    .add("probs_d", [[0.4, 0.6], [0.3, 0.7]], "simplex");
  const bData = [0, 1];
  const dData = [0, 0, 1];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd] = ["probs_a", "probs_b", "probs_c", "probs_d"].map((n) => params.tensor(theta, n));
          yield* plate("a_axis", 2, function* () {
            const a = yield* sample("a", dist.Categorical(pa!));
            yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")), { obs: bData });
          });
          yield* plate("c_axis", 3, function* () {
            const c = yield* sample("c", dist.Categorical(pc!));
            yield* sample("d", dist.Categorical(vindex(pd!, "...", c, ":")), { obs: dData });
          });
        }, s)),
        oracle: (th) => {
          const [pa, pb, pc, pd] = ["probs_a", "probs_b", "probs_c", "probs_d"].map((n) => params.value(th, n));
          return s * lse([2, 2, 2, 2, 2], ([a0, a1, c0, c1, c2]) =>
            [a0!, a1!].reduce((x, a, i) => x + lg(pa!(a)) + lg(pb!(a, bData[i]!)), 0) +
            [c0!, c1!, c2!].reduce((x, c, j) => x + lg(pc!(c)) + lg(pd!(c, dData[j]!)), 0));
        },
      });
    });
  }
});

describe("test_elbo_enumerate_plates_2", () => {
  //  +---------+       +---------+
  //  |     b <---- a ----> c     |
  //  | M=2     |       |     N=3 |
  //  +---------+       +---------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex");
  const bData = [0, 1];
  const cData = [0, 0, 1];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          yield* plate("b_axis", 2, function* () {
            yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")), { obs: bData });
          });
          yield* plate("c_axis", 3, function* () {
            yield* sample("c", dist.Categorical(vindex(pc!, "...", a, ":")), { obs: cData });
          });
        }, s)),
        oracle: (th) => {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.value(th, n));
          return s * lse([2], ([a]) =>
            lg(pa!(a!)) + bData.reduce((x, v) => x + lg(pb!(a!, v)), 0) + cData.reduce((x, v) => x + lg(pc!(a!, v)), 0));
        },
      });
    });
  }
});

describe("test_elbo_enumerate_plates_3", () => {
  //      +--------------------+
  //      |  +----------+      |
  //  a -------> b      |      |
  //      |  |      N=2 |      |
  //      |  +----------+  M=2 |
  //      +--------------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex");
  const data = [[0, 1], [0, 0]];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 2,
        model: (theta) => configEnumerate(scaled(function* () {
          const pa = params.tensor(theta, "probs_a");
          const pb = params.tensor(theta, "probs_b");
          const a = yield* sample("a", dist.Categorical(pa));
          yield* plate("outer", 2, function* () {
            yield* plate("inner", 2, function* () {
              yield* sample("b", dist.Categorical(vindex(pb, "...", a, ":")), { obs: data });
            });
          });
        }, s)),
        oracle: (th) => {
          const pa = params.value(th, "probs_a");
          const pb = params.value(th, "probs_b");
          return s * lse([2], ([a]) => lg(pa(a!)) + data.flat().reduce((x, v) => x + lg(pb(a!, v)), 0));
        },
      });
    });
  }
});

// In Pyro the first plate entered takes dim -1 and the next -2, so a (2, 2)
// observation in "outer" then "inner" is indexed data[inner][outer].
describe("test_elbo_enumerate_plates_4", () => {
  //      +--------------------+
  //      |       +----------+ |
  //  a ----> b ----> c      | |
  //      |       |      N=2 | |
  //      | M=2   +----------+ |
  //      +--------------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.4, 0.6], [0.3, 0.7]], "simplex");
  const data = [[0, 1], [0, 0]];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 2,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          yield* plate("outer", 2, function* () {
            const b = yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")));
            yield* plate("inner", 2, function* () {
              yield* sample("c", dist.Categorical(vindex(pc!, "...", b, ":")), { obs: data });
            });
          });
        }, s)),
        oracle: (th) => {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.value(th, n));
          return s * lse([2, 2, 2], ([a, b0, b1]) =>
            lg(pa!(a!)) + [b0!, b1!].reduce((x, b, i) =>
              x + lg(pb!(a!, b)) + [0, 1].reduce((y, j) => y + lg(pc!(b, data[j]![i]!)), 0), 0));
        },
      });
    });
  }
});

describe("test_elbo_enumerate_plates_5", () => {
  //     a
  //     | \
  //  +--|---\------------+
  //  |  V   +-\--------+ |
  //  |  b ----> c      | |
  //  |      |      N=2 | |
  //  | M=2  +----------+ |
  //  +-------------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[[0.4, 0.6], [0.3, 0.7]], [[0.2, 0.8], [0.1, 0.9]]], "simplex");
  const data = [[0, 1], [0, 0]];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 2,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          yield* plate("outer", 2, function* () {
            const b = yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")));
            yield* plate("inner", 2, function* () {
              yield* sample("c", dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data });
            });
          });
        }, s)),
        oracle: (th) => {
          const [pa, pb, pc] = ["probs_a", "probs_b", "probs_c"].map((n) => params.value(th, n));
          return s * lse([2, 2, 2], ([a, b0, b1]) =>
            lg(pa!(a!)) + [b0!, b1!].reduce((x, b, i) =>
              x + lg(pb!(a!, b)) + [0, 1].reduce((y, j) => y + lg(pc!(a!, b, data[j]![i]!)), 0), 0));
        },
      });
    });
  }
});


describe("test_elbo_enumerate_plates_6", () => {
  //         +----------+
  //         |      M=2 |
  //     a ----> b      |
  //     |   |   |      |
  //  +--|-------|--+   |
  //  |  V   |   V  |   |
  //  |  c ----> d  |   |
  //  |      |      |   |
  //  | N=2  +------|---+
  //  +-------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("probs_d", [[[0.4, 0.6], [0.3, 0.7]], [[0.3, 0.7], [0.2, 0.8]]], "simplex");
  const data = [[0, 1], [0, 0]];
  const names = ["probs_a", "probs_b", "probs_c", "probs_d"];
  // model_iplate_iplate, unrolled in float64.
  const oracle = (s: number) => (th: number[]) => {
    const [pa, pb, pc, pd] = names.map((n) => params.value(th, n));
    return s * lse([2, 2, 2, 2, 2], ([a, b0, b1, c0, c1]) => {
      const b = [b0!, b1!];
      const c = [c0!, c1!];
      let x = lg(pa!(a!)) + b.reduce((y, bi) => y + lg(pb!(a!, bi)), 0) + c.reduce((y, cj) => y + lg(pc!(a!, cj)), 0);
      for (const i of [0, 1]) for (const j of [0, 1]) x += lg(pd!(b[i]!, c[j]!, data[i]![j]!));
      return x;
    });
  };
  for (const s of [1, 10]) {
    it(`model_iplate_plate scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd] = names.map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          const b: tf.Tensor[] = [];
          for (const i of [0, 1]) b.push(yield* sample(`b_${i}`, dist.Categorical(vindex(pb!, "...", a, ":"))));
          const c = yield* plate("c_axis", 2, function* () {
            return yield* sample("c", dist.Categorical(vindex(pc!, "...", a, ":")));
          });
          for (const i of [0, 1]) {
            yield* plate("c_axis", 2, function* () {
              yield* sample(`d_${i}`, dist.Categorical(vindex(pd!, "...", b[i]!, c, ":")), { obs: data[i]! });
            });
          }
        }, s)),
        oracle: oracle(s),
      });
    });
    it(`model_plate_iplate scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd] = names.map((n) => params.tensor(theta, n));
          const a = yield* sample("a", dist.Categorical(pa!));
          const b = yield* plate("b_axis", 2, function* () {
            return yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")));
          });
          const c: tf.Tensor[] = [];
          for (const j of [0, 1]) c.push(yield* sample(`c_${j}`, dist.Categorical(vindex(pc!, "...", a, ":"))));
          yield* plate("b_axis", 2, function* () {
            for (const j of [0, 1]) {
              yield* sample(`d_${j}`, dist.Categorical(vindex(pd!, "...", b, c[j]!, ":")), { obs: data.map((r) => r[j]!) });
            }
          });
        }, s)),
        oracle: oracle(s),
      });
    });
  }
  it("model_plate_plate: Pyro refuses it (non-tree plate nesting); ppl refuses it with a PPL error or gets it right", () => {
    refusedOrRight(() => tf.tidy(() => {
      const theta = tf.tensor1d(params.theta0);
      const [pa, pb, pc, pd] = names.map((n) => params.tensor(theta, n));
      function* model() {
        const a = yield* sample("a", dist.Categorical(pa!), en);
        const b = yield* plate("b_axis", 2, { dim: -1 }, function* () {
          return yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")), en);
        });
        const c = yield* plate("c_axis", 2, { dim: -2 }, function* () {
          return yield* sample("c", dist.Categorical(vindex(pc!, "...", a, ":")), en);
        });
        yield* plate("b_axis", 2, { dim: -1 }, function* () {
          yield* plate("c_axis", 2, { dim: -2 }, function* () {
            // data[c][b]: dim -2 is c_axis
            const obs = [[data[0]![0]!, data[1]![0]!], [data[0]![1]!, data[1]![1]!]];
            yield* sample("d", dist.Categorical(vindex(pd!, "...", b, c, ":")), { obs });
          });
        });
      }
      return new TraceEnumELBO({ maxPlateNesting: 2 }).loss(model, function* () {});
    }), -oracle(1)(params.theta0), nonTreePlates);
  });
});

describe("test_elbo_enumerate_plates_7", () => {
  //         +-------------+
  //         |         N=2 |
  //     a -------> c      |
  //     |   |      |      |
  //  +--|----------|--+   |
  //  |  |   |      V  |   |
  //  |  V   |      e  |   |
  //  |  b ----> d     |   |
  //  |      |         |   |
  //  | M=2  +---------|---+
  //  +----------------+
  const params = new Params()
    .add("probs_a", [0.45, 0.55], "simplex")
    .add("probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("probs_d", [[0.3, 0.7], [0.2, 0.8]], "simplex")
    .add("probs_e", [[0.4, 0.6], [0.3, 0.7]], "simplex");
  const data = [[0, 1], [0, 0]];
  const names = ["probs_a", "probs_b", "probs_c", "probs_d", "probs_e"];
  const tensors = (theta: tf.Tensor1D) => names.map((n) => params.tensor(theta, n)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  // model_iplate_iplate, unrolled in float64.
  const oracle = (s: number) => (th: number[]) => {
    const [pa, pb, pc, pd, pe] = names.map((n) => params.value(th, n));
    return s * lse([2, 2, 2, 2, 2], ([a, b0, b1, c0, c1]) => {
      const b = [b0!, b1!];
      const c = [c0!, c1!];
      let x = lg(pa!(a!)) + b.reduce((y, bi) => y + lg(pb!(a!, bi)), 0) + c.reduce((y, cj) => y + lg(pc!(a!, cj)), 0);
      for (const i of [0, 1]) for (const j of [0, 1]) x += lg(pd!(b[i]!, data[i]![j]!)) + lg(pe!(c[j]!, data[i]![j]!));
      return x;
    });
  };
  for (const s of [1, 10]) {
    it(`model_iplate_plate scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd, pe] = tensors(theta);
          const a = yield* sample("a", dist.Categorical(pa));
          const b: tf.Tensor[] = [];
          for (const i of [0, 1]) b.push(yield* sample(`b_${i}`, dist.Categorical(vindex(pb, "...", a, ":"))));
          const c = yield* plate("c_axis", 2, function* () {
            return yield* sample("c", dist.Categorical(vindex(pc, "...", a, ":")));
          });
          for (const i of [0, 1]) {
            yield* plate("c_axis", 2, function* () {
              yield* sample(`d_${i}`, dist.Categorical(vindex(pd, "...", b[i]!, ":")), { obs: data[i]! });
              yield* sample(`e_${i}`, dist.Categorical(vindex(pe, "...", c, ":")), { obs: data[i]! });
            });
          }
        }, s)),
        oracle: oracle(s),
      });
    });
    it(`model_plate_iplate scale=${s}`, () => {
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd, pe] = tensors(theta);
          const a = yield* sample("a", dist.Categorical(pa));
          const b = yield* plate("b_axis", 2, function* () {
            return yield* sample("b", dist.Categorical(vindex(pb, "...", a, ":")));
          });
          const c: tf.Tensor[] = [];
          for (const j of [0, 1]) c.push(yield* sample(`c_${j}`, dist.Categorical(vindex(pc, "...", a, ":"))));
          yield* plate("b_axis", 2, function* () {
            for (const j of [0, 1]) {
              const obs = data.map((r) => r[j]!);
              yield* sample(`d_${j}`, dist.Categorical(vindex(pd, "...", b, ":")), { obs });
              yield* sample(`e_${j}`, dist.Categorical(vindex(pe, "...", c[j]!, ":")), { obs });
            }
          });
        }, s)),
        oracle: oracle(s),
      });
    });
    it(`model_plate_plate scale=${s}`, () => {
      // b_axis on dim -1 and c_axis on dim -2, so the observation is data[j][i] = data^T.
      const obs = [[data[0]![0]!, data[1]![0]!], [data[0]![1]!, data[1]![1]!]];
      checkLossAndGrads({
        params,
        maxPlateNesting: 2,
        model: (theta) => configEnumerate(scaled(function* () {
          const [pa, pb, pc, pd, pe] = tensors(theta);
          const a = yield* sample("a", dist.Categorical(pa));
          const b = yield* plate("b_axis", 2, { dim: -1 }, function* () {
            return yield* sample("b", dist.Categorical(vindex(pb, "...", a, ":")));
          });
          const c = yield* plate("c_axis", 2, { dim: -2 }, function* () {
            return yield* sample("c", dist.Categorical(vindex(pc, "...", a, ":")));
          });
          yield* plate("b_axis", 2, { dim: -1 }, function* () {
            yield* plate("c_axis", 2, { dim: -2 }, function* () {
              yield* sample("d", dist.Categorical(vindex(pd, "...", b, ":")), { obs });
              yield* sample("e", dist.Categorical(vindex(pe, "...", c, ":")), { obs });
            });
          });
        }, s)),
        oracle: oracle(s),
      });
    });
  }
});
