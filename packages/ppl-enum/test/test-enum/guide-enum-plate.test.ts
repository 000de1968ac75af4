// Pyro's test_elbo_enumerate_plate_3: enumeration in the guide inside a plate
// (and masked), plus its smallest case, a guide-enumerated Categorical in a
// plate, whose log q must count once per plate member (ppl once scored it once
// in all: loss = truth + (N - 1) * H(q)).
import { describe, it } from "vitest";
import { dist, mask, plate, sample, vindex } from "ppl-core";
import { configEnumerate } from "ppl-enum";
import { checkLossAndGrads } from "./check.js";
import { expect as expectation, lg, lse } from "./oracle.js";
import { Params } from "./params.js";
import { cases, enumParams, maskOf, names4, plateData, scaled } from "./fixtures.js";

const en = { infer: { enumerate: "parallel" as const } };

describe("test_elbo_enumerate_plate_3", () => {
  //  +-----------------------+
  //  | x ----> y ----> z     |
  //  |                     N |
  //  +-----------------------+
  const params = enumParams([[0.3, 0.7], [0.2, 0.8]]);
  for (const s of [1, 10]) {
    for (const [id, n, m] of cases) {
      it(`${id} scale=${s}`, () => {
        const data = plateData.slice(0, n);
        checkLossAndGrads({
          params,
          maxPlateNesting: 1,
          model: (theta) => scaled(function* () {
            yield* plate("data", n, function* () {
              const xyz = function* () {
                const x = yield* sample("x", dist.Categorical(params.tensor(theta, "model_probs_x")));
                const y = yield* sample("y", dist.Categorical(vindex(params.tensor(theta, "model_probs_y"), "...", x, ":")), en);
                yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "model_probs_z"), "...", y, ":")), { obs: data });
              };
              yield* (m === n ? xyz() : mask(maskOf(n, m), xyz));
            });
          }, s),
          guide: (theta) => scaled(configEnumerate(function* () {
            yield* plate("data", n, function* () {
              const x = function* () {
                yield* sample("x", dist.Categorical(params.tensor(theta, "guide_probs_x")));
              };
              yield* (m === n ? x() : mask(maskOf(n, m), x));
            });
          }), s),
          oracle: (th) => {
            const [gx, px, py, pz] = names4.map((k) => params.value(th, k));
            return s * data.slice(0, m).reduce((a, d) => a + expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
              lg(px!(x!)) - lg(gx!(x!)) + lse([2], ([y]) => lg(py!(x!, y!)) + lg(pz!(y!, d)))), 0);
          },
        });
      });
    }
  }
});


describe("a guide-enumerated Categorical in a plate (the smallest case of test_elbo_enumerate_plate_3 batch)", () => {
  // model: plate N { x ~ Cat(px); z ~ Cat(pz[x]) obs }   guide: plate N { x ~ Cat(gx) enumerated }
  const params = new Params()
    .add("gx", [0.1, 0.9], "simplex")
    .add("px", [0.4, 0.6], "simplex")
    .add("pz", [[0.3, 0.7], [0.2, 0.8]], "simplex");
  for (const n of [2, 3]) {
    it(`N=${n}`, () => {
      const data = plateData.slice(0, n);
      checkLossAndGrads({
        params,
        maxPlateNesting: 1,
        model: (theta) => function* () {
          yield* plate("data", n, function* () {
            const x = yield* sample("x", dist.Categorical(params.tensor(theta, "px")));
            yield* sample("z", dist.Categorical(vindex(params.tensor(theta, "pz"), "...", x, ":")), { obs: data });
          });
        },
        guide: (theta) => function* () {
          yield* plate("data", n, function* () {
            yield* sample("x", dist.Categorical(params.tensor(theta, "gx")), en);
          });
        },
        oracle: (th) => {
          const [gx, px, pz] = ["gx", "px", "pz"].map((k) => params.value(th, k));
          return data.reduce((a, d) => a + expectation([2], ([x]) => lg(gx!(x!)), ([x]) =>
            lg(px!(x!)) - lg(gx!(x!)) + lg(pz!(x!, d))), 0);
        },
      });
    });
  }
});
