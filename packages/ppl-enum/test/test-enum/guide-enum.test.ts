// Pyro's tests/infer/test_enum.py, enumeration in the guide (parallel):
// TraceEnumELBO must sum the guide's enumerated sites out exactly, so the loss
// is minus the exact expectation over them, written here in float64, and its
// gradient equals finite differences of that expectation. Pyro's
// Monte-Carlo parametrisations (enumerate=None, num_samples) are not ported:
// they check an estimate, not an exact value (see ../README.md).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLModelError, dist, mask, plate, sample, scale, setRngSeed, vindex } from "ppl-core";
import { TraceEnumELBO, configEnumerate } from "ppl-enum";
import { checkLossAndGrads, checkMonteCarlo, pplLoss, refusedOrRight } from "./check.js";

/** Pyro's reason for refusing these models (_check_model_guide_enumeration_constraint). */
const moreGlobalThanGuide = { error: PPLModelError, message: /expected model enumeration to be no more global than guide enumeration/ };
import {
  bernoulliNonTree, bernoulliPyramid, elboBern, elboBernBern, elboBerns, elboCategoricals, elboIplate, elboIplateIplate,
  elboIplatePlate, elboPlate, elboPlateIplate, elboPlatePlate, enumeratePlate6, nonMeanFieldBernBern, nonMeanFieldBernNormal,
} from "./guide-cases.js";
import { expect as expectation, lg, lse, normalLogPdf } from "./oracle.js";
import { Params } from "./params.js";
import { cases, enumParams, maskOf, names4, plateData, range, scaled } from "./fixtures.js";

const P = "parallel" as const;
const en = { infer: { enumerate: P } };

describe("test_elbo_bern", () => {
  for (const s of [1, 10]) {
    it(`enumerate1=parallel scale=${s} (loss, differentiable_loss)`, () => checkLossAndGrads(elboBern(P, s)));
  }
});

describe("test_elbo_berns", () => {
  it("enumerate1,2,3=parallel", () => checkLossAndGrads(elboBerns([P, P, P])));
});

describe("test_elbo_bern_bern", () => {
  it("enumerate1,2=parallel", () => checkLossAndGrads(elboBernBern([P, P])));
});

describe("test_elbo_categoricals", () => {
  for (const mpn of [0, 1]) {
    it(`enumerate1,2,3=parallel max_plate_nesting=${mpn}`, () => checkLossAndGrads(elboCategoricals([P, P, P], mpn)));
  }
});

describe("test_elbo_plate", () => {
  for (const d of [1, 2]) it(`plate_dim=${d} enumerate1,2=parallel`, () => checkLossAndGrads(elboPlate(d, [P, P])));
});

describe("test_elbo_iplate", () => {
  for (const d of [1, 2]) it(`plate_dim=${d} enumerate1,2=parallel`, () => checkLossAndGrads(elboIplate(d, [P, P])));
});

describe("test_elbo_plate_plate", () => {
  it("outer_dim=2 inner_dim=2 enumerate1..4=parallel", () => checkLossAndGrads(elboPlatePlate([P, P, P, P])));
});

describe("test_elbo_plate_iplate", () => {
  it("outer_dim=3 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboPlateIplate([P, P, P])));
});

// These two need 5 and 6 guide enumeration dims next to the plates (Pyro's
// sequential plates recycle none): rank 7 and 8 tensors.
describe("test_elbo_iplate_plate", () => {
  it("outer_dim=2 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboIplatePlate([P, P, P])));
});

describe("test_elbo_iplate_iplate", () => {
  it("outer_dim=2 inner_dim=2 enumerate1..3=parallel", () => checkLossAndGrads(elboIplateIplate([P, P, P])));
});

describe("test_non_mean_field_bern_bern_elbo_gradient", () => {
  for (const pi1 of [0.33, 0.43]) {
    for (const pi2 of [0.55, 0.27]) {
      it(`enumerate1=parallel pi1=${pi1} pi2=${pi2}`, () => checkLossAndGrads(nonMeanFieldBernBern(P, pi1, pi2)));
    }
  }
});

describe("test_non_mean_field_bern_normal_elbo_gradient", () => {
  // Pyro's prec 0.02 for the enumerated cases; a fixed seed.
  for (const pi1 of [0.33, 0.44]) {
    for (const pi2 of [0.55, 0.39]) {
      for (const pi3 of [0.22, 0.29]) {
        it(`enumerate1=parallel pi1=${pi1} pi2=${pi2} pi3=${pi3}`, () => {
          setRngSeed(0);
          checkMonteCarlo(nonMeanFieldBernNormal(P, pi1, pi2, pi3), 0.02);
        });
      }
    }
  }
});

describe("test_bernoulli_non_tree_elbo_gradient", () => {
  for (const expand of [true, false]) {
    for (const bf of [0.03, 0.04]) {
      for (const cf of [0.04, 0.06]) {
        it(`enumerate1=parallel expand=${expand} b_factor=${bf} c_factor=${cf}`, () =>
          checkLossAndGrads(bernoulliNonTree(P, expand, bf, cf)));
      }
    }
  }
});

describe("test_bernoulli_pyramid_elbo_gradient", () => {
  for (const expand of [true, false]) {
    for (const nB of [3, 4]) {
      for (const nC of [5, 6]) {
        for (const piB of [0.51, 0.77]) {
          it(`enumerate1=parallel expand=${expand} N_b=${nB} N_c=${nC} pi_b=${piB}`, () =>
            checkLossAndGrads(bernoulliPyramid(P, expand, nB, nC, piB)));
        }
      }
    }
  }
});

describe("test_avoid_nan", () => {
  it("enumerate1=parallel: q = p = [0, 0.5, 1] gives a loss of exactly 0, not NaN", () => {
    const params = new Params().add("p", [0, 0.5, 1]);
    const c = {
      params,
      maxPlateNesting: 1,
      model: () => function* () {
        yield* plate("batch", 3, function* () {
          yield* sample("z", dist.Bernoulli(tf.tensor1d([0, 0.5, 1])));
        });
      },
      guide: (theta: tf.Tensor1D) => function* () {
        yield* plate("batch", 3, function* () {
          yield* sample("z", dist.Bernoulli(params.tensor(theta, "p")), en);
        });
      },
      oracle: () => 0,
    };
    const loss = pplLoss(c);
    expect(Number.isNaN(loss)).toBe(false);
    expect(Math.abs(loss)).toBeLessThan(1e-6);
  });
});

// The guide's x is enumerated (Pyro: @config_enumerate on the guide).

describe("test_elbo_enumerate_1", () => {
  const params = enumParams([0.3, 0.7]);
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      model: (theta) => scaled(function* () {
        const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
        yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
        yield* sample("z", dist.Categorical(params.tensor(theta, "model_probs_z")), { obs: 0 });
      }, s),
      guide: (theta) => configEnumerate(scaled(function* () {
        yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
      }, s)),
      oracle: (th) => {
        const [gx, px, py, pz] = ["guide_probs_x", "model_probs_x", "model_probs_y", "model_probs_z"].map((n) => params.value(th, n));
        return expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
          s * (lg(px!(x!)) + lse([2], ([y]) => lg(py!(x!, y!))) + lg(pz!(0)) - lg(gx!(x!))));
      },
    }));
  }
});

describe("test_elbo_enumerate_2", () => {
  const params = enumParams([[0.3, 0.7], [0.2, 0.8]]);
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      model: (theta) => scaled(function* () {
        const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
        const y = yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
        yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: 0 });
      }, s),
      guide: (theta) => configEnumerate(scaled(function* () {
        yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
      }, s)),
      oracle: (th) => {
        const [gx, px, py, pz] = ["guide_probs_x", "model_probs_x", "model_probs_y", "model_probs_z"].map((n) => params.value(th, n));
        return expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
          s * (lg(px!(x!)) + lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, 0))) - lg(gx!(x!))));
      },
    }));
  }
});

describe("test_elbo_enumerate_3", () => {
  const params = enumParams([[0.3, 0.7], [0.2, 0.8]]);
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      model: (theta) => function* () {
        const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
        yield* scale(s, function* () {
          const y = yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
          yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: 0 });
        });
      },
      guide: (theta) => configEnumerate(function* () {
        yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
      }),
      oracle: (th) => {
        const [gx, px, py, pz] = ["guide_probs_x", "model_probs_x", "model_probs_y", "model_probs_z"].map((n) => params.value(th, n));
        return expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
          lg(px!(x!)) - lg(gx!(x!)) + s * lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, 0))));
      },
    }));
  }
});


describe("test_elbo_enumerate_plate_1", () => {
  //              +---------+
  //  x ----> y ----> z     |
  //              |       N |
  //              +---------+
  const params = enumParams([[0.3, 0.7], [0.2, 0.8]]);
  for (const s of [1, 10]) {
    for (const [id, n, m] of cases) {
      it(`${id} scale=${s}`, () => {
        const data = plateData.slice(0, n);
        checkLossAndGrads({
          params,
          maxPlateNesting: 1,
          model: (theta) => function* () {
            const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
            yield* scale(s, function* () {
              const y = yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
              yield* plate("data", n, function* () {
                const z = function* () {
                  yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: data });
                };
                yield* (m === n ? z() : mask(maskOf(n, m), z));
              });
            });
          },
          guide: (theta) => configEnumerate(function* () {
            yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
          }),
          oracle: (th) => {
            const [gx, px, py, pz] = names4.map((k) => params.value(th, k));
            return expectation([2], ([x]) => lg(gx!(x!)), ([x]) => lg(px!(x!)) - lg(gx!(x!)) +
              s * lse([2], ([y]) => lg(py!(x!, y!)) + data.slice(0, m).reduce((a, d) => a + lg(pz!(y!, d)), 0)));
          },
        });
      });
    }
  }
});

describe("test_elbo_enumerate_plate_2", () => {
  //      +-----------------+
  //  x ----> y ----> z     |
  //      |               N |
  //      +-----------------+
  const params = enumParams([[0.3, 0.7], [0.2, 0.8]]);
  for (const s of [1, 10]) {
    for (const [id, n, m] of cases) {
      it(`${id} scale=${s}`, () => {
        const data = plateData.slice(0, n);
        checkLossAndGrads({
          params,
          maxPlateNesting: 1,
          model: (theta) => function* () {
            const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
            yield* scale(s, function* () {
              yield* plate("data", n, function* () {
                const yz = function* () {
                  const y = yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
                  yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: data });
                };
                yield* (m === n ? yz() : mask(maskOf(n, m), yz));
              });
            });
          },
          guide: (theta) => configEnumerate(function* () {
            yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
          }),
          oracle: (th) => {
            const [gx, px, py, pz] = names4.map((k) => params.value(th, k));
            return expectation([2], ([x]) => lg(gx!(x!)), ([x]) => lg(px!(x!)) - lg(gx!(x!)) +
              s * data.slice(0, m).reduce((a, d) => a + lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, d))), 0));
          },
        });
      });
    }
  }
});


describe("test_elbo_enumerate_plate_5", () => {
  //        Guide   Model
  //                  a
  //  +---------------|--+
  //  | M=2           V  |
  //  |       b ----> c  |
  //  +------------------+
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", [[[0.4, 0.5, 0.1], [0.3, 0.5, 0.2]], [[0.3, 0.4, 0.3], [0.4, 0.4, 0.2]]], "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [1, 2];
  it("model_plate/guide_plate: Pyro refuses it (model enumeration more global than guide); a PPL error or the right number", () => {
    const th = params.theta0;
    const [pa, pb, pc, gb] = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"].map((k) => params.value(th, k));
    const logQ = (b: number[]) => b.reduce((s, bi) => s + lg(gb!(bi)), 0);
    const iplateElbo = expectation([2, 2], logQ, (b) => b.reduce((s, bi) => s + lg(pb!(bi)), 0) - logQ(b) +
      lse([2], ([a]) => lg(pa!(a!)) + b.reduce((s, bi, i) => s + lg(pc!(a!, bi, data[i]!)), 0)));
    refusedOrRight(() => tf.tidy(() => {
      const theta = tf.tensor1d(th);
      const model = configEnumerate(function* () {
        const a = yield* sample("a", dist.Categorical(params.tensor(theta, "model_probs_a")));
        yield* plate("b_axis", 2, function* () {
          const b = yield* sample("b", dist.Categorical(params.tensor(theta, "model_probs_b")));
          yield* sample("c", dist.Categorical(vindex(params.tensor(theta, "model_probs_c"), "...", a, b, ":")), { obs: data });
        });
      });
      const guide = configEnumerate(function* () {
        yield* plate("b_axis", 2, function* () {
          yield* sample("b", dist.Categorical(params.tensor(theta, "guide_probs_b")));
        });
      });
      return new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, guide);
    }), -iplateElbo, moreGlobalThanGuide);
  });
});

describe("test_elbo_enumerate_plate_6", () => {
  it("enumerate1=parallel", () => checkLossAndGrads(enumeratePlate6(P)));
});

describe("test_elbo_enumerate_plate_7", () => {
  //  Guide    Model
  //    a -----> b
  //    |        |
  //  +-|--------|----------------+
  //  | V        V                |
  //  | c -----> d -----> e   N=2 |
  //  +---------------------------+
  // guide_probs_c is deterministic ([[0, 1], [1, 0]]): kept as a constant, not a parameter.
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [[0.6, 0.4], [0.4, 0.6]], "simplex")
    .add("model_probs_c", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("model_probs_d", [[[0.4, 0.6], [0.3, 0.7]], [[0.3, 0.7], [0.2, 0.8]]], "simplex")
    .add("model_probs_e", [[0.75, 0.25], [0.55, 0.45]], "simplex")
    .add("guide_probs_a", [0.35, 0.64], "simplex");
  const guideC = [[0, 1], [1, 0]];
  const data = [0, 0];
  for (const s of [1, 10]) {
    it(`scale=${s}`, () => checkLossAndGrads({
      params,
      maxPlateNesting: 1,
      model: (theta) => scaled(function* () {
        const [pa, pb, pc, pd, pe] = ["a", "b", "c", "d", "e"].map((k) => params.tensor(theta, `model_probs_${k}`));
        const a = yield* sample("a", dist.Categorical(pa!));
        const b = yield* sample("b", dist.Categorical(vindex(pb!, "...", a, ":")), en);
        yield* plate("data", 2, function* () {
          const c = yield* sample("c", dist.Categorical(vindex(pc!, "...", a, ":")));
          const d = yield* sample("d", dist.Categorical(vindex(pd!, "...", b, c, ":")), en);
          yield* sample("obs", dist.Categorical(vindex(pe!, "...", d, ":")), { obs: data });
        });
      }, s),
      guide: (theta) => scaled(function* () {
        const a = yield* sample("a", dist.Categorical(params.tensor(theta, "guide_probs_a")), en);
        yield* plate("data", 2, function* () {
          yield* sample("c", dist.Categorical(vindex(tf.tensor2d(guideC), "...", a, ":")));
        });
      }, s),
      oracle: (th) => {
        const [pa, pb, pc, pd, pe] = ["a", "b", "c", "d", "e"].map((k) => params.value(th, `model_probs_${k}`));
        const ga = params.value(th, "guide_probs_a");
        return expectation([2], ([a]) => lg(ga(a!)), ([a]) => {
          const c = guideC[a!]!.indexOf(1); // the guide's c, the same for both data points
          return s * (lg(pa!(a!)) - lg(ga(a!)) + 2 * lg(pc!(a!, c)) +
            lse([2], ([b]) => lg(pb!(a!, b!)) + data.reduce((acc, o) => acc + lse([2], ([d]) => lg(pd!(b!, c, d!)) + lg(pe!(d!, o))), 0)));
        });
      },
    }));
  }
});

describe("test_elbo_enumerate_plates_8", () => {
  //        Guide   Model
  //                  a
  //      +-----------|--------+
  //      | M=2   +---|------+ |
  //      |       |   V  N=2 | |
  //      |   b ----> c      | |
  //      |       +----------+ |
  //      +--------------------+
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", [[[0.4, 0.5, 0.1], [0.3, 0.5, 0.2]], [[0.3, 0.4, 0.3], [0.4, 0.4, 0.2]]], "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [[0, 1], [0, 2]];
  const names = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"];
  // model_iplate_iplate / guide_iplate: c_{i,j} observes data[j][i].
  const oracle = (th: number[]) => {
    const [pa, pb, pc, gb] = names.map((k) => params.value(th, k));
    const logQ = (b: number[]) => b.reduce((s, bi) => s + lg(gb!(bi)), 0);
    return expectation([2, 2], logQ, (b) => b.reduce((s, bi) => s + lg(pb!(bi)), 0) - logQ(b) +
      lse([2], ([a]) => lg(pa!(a!)) + b.reduce((s, bi, i) => s + lg(pc!(a!, bi, data[0]![i]!)) + lg(pc!(a!, bi, data[1]![i]!)), 0)));
  };
  it("iplate-plate", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => configEnumerate(function* () {
      const [pa, pb, pc] = names.map((k) => params.tensor(theta, k));
      const a = yield* sample("a", dist.Categorical(pa!));
      for (const i of [0, 1]) {
        const b = yield* sample(`b_${i}`, dist.Categorical(pb!));
        yield* plate("inner", 2, function* () {
          yield* sample(`c_${i}`, dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data.map((r) => r[i]!) });
        });
      }
    }),
    guide: (theta) => configEnumerate(function* () {
      for (const i of [0, 1]) yield* sample(`b_${i}`, dist.Categorical(params.tensor(theta, "guide_probs_b")));
    }),
    oracle,
  }));
  const guidePlate = (theta: tf.Tensor1D) => configEnumerate(function* () {
    yield* plate("outer", 2, function* () {
      yield* sample("b", dist.Categorical(params.tensor(theta, "guide_probs_b")));
    });
  });
  it("plate-iplate: Pyro refuses it; a PPL error or the right number", () => {
    refusedOrRight(() => tf.tidy(() => {
      const theta = tf.tensor1d(params.theta0);
      const model = configEnumerate(function* () {
        const [pa, pb, pc] = names.map((k) => params.tensor(theta, k));
        const a = yield* sample("a", dist.Categorical(pa!));
        yield* plate("outer", 2, function* () {
          const b = yield* sample("b", dist.Categorical(pb!));
          for (const j of [0, 1]) {
            yield* sample(`c_${j}`, dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data[j]! });
          }
        });
      });
      return new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, guidePlate(theta));
    }), -oracle(params.theta0), moreGlobalThanGuide);
  });
  it("plate-plate: Pyro refuses it; a PPL error or the right number", () => {
    refusedOrRight(() => tf.tidy(() => {
      const theta = tf.tensor1d(params.theta0);
      const model = configEnumerate(function* () {
        const [pa, pb, pc] = names.map((k) => params.tensor(theta, k));
        const a = yield* sample("a", dist.Categorical(pa!));
        yield* plate("outer", 2, function* () {
          const b = yield* sample("b", dist.Categorical(pb!));
          yield* plate("inner", 2, function* () {
            yield* sample("c", dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data });
          });
        });
      });
      return new TraceEnumELBO({ maxPlateNesting: 2 }).loss(model, guidePlate(theta));
    }), -oracle(params.theta0), moreGlobalThanGuide);
  });
});

describe("test_compute_marginals_single (the exact-guide half)", () => {
  // The exact posterior of x, computed here in float64, put into an
  // enumerated guide: the loss is minus the log evidence and its gradient in
  // the guide's probs is zero.
  const data = [0, 0.1, 0.2, 0.9, 1.0, 1.1];
  const locs = [-1, 0, 1, 2];
  const priors: [string, number[]][] = [
    ["Bernoulli 0.2", [0.8, 0.2]], ["Categorical [0.2, 0.8]", [0.2, 0.8]],
    ["Categorical [0.2, 0.3, 0.5]", [0.2, 0.3, 0.5]], ["Categorical [0.2, 0.3, 0.3, 0.2]", [0.2, 0.3, 0.3, 0.2]],
  ];
  for (const [id, prior] of priors) {
    it(id, () => {
      const K = prior.length;
      const logJoint = (x: number) => lg(prior[x]!) + data.reduce((s, d) => s + normalLogPdf(d, locs[x]!, 1), 0);
      const logZ = lse([K], ([x]) => logJoint(x!));
      const post = range(K).map((x) => Math.exp(logJoint(x) - logZ));
      const bern = id.startsWith("Bernoulli");
      const params = new Params().add("probs", bern ? post[1]! : post, bern ? "real" : "simplex");
      const d = (probs: tf.Tensor | number) => (bern ? dist.Bernoulli(probs) : dist.Categorical(probs as tf.Tensor));
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: () => function* () {
          const x = yield* sample("x", bern ? dist.Bernoulli(prior[1]!) : dist.Categorical(prior));
          yield* plate("data", data.length, function* () {
            yield* sample("obs", dist.Normal(vindex(tf.tensor1d(locs.slice(0, K)), "...", x.toInt()), 1), { obs: data });
          });
        },
        guide: (theta) => configEnumerate(function* () {
          yield* sample("x", d(params.tensor(theta, "probs")));
        }),
        oracle: (th) => {
          const p = params.value(th, "probs");
          const q = bern ? [1 - p(), p()] : range(K).map((k) => p(k));
          return expectation([K], ([x]) => lg(q[x!]!), ([x]) => logJoint(x!) - lg(q[x!]!));
        },
      });
    });
  }
});

