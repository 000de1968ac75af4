// Pyro's tests/infer/test_enum.py cases about scale and mask: test_elbo_scale,
// test_mixture_of_diag_normals (its hand model: a mask that depends on an
// enumerated variable), test_elbo_zip (its composite model, with the
// MaskedMixture written as two masked observations), and issue 12's smallest
// case of a mask around an enumerated site in a plate. Oracles are float64
// sums over the discrete values; gradients against their finite differences.
import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { dist, mask, plate, sample, vindex } from "ppl-core";
import { checkLossAndGrads } from "./check.js";
import { lg, lse, normalLogPdf, softmax } from "./oracle.js";
import { Params } from "./params.js";

const en = { infer: { enumerate: "parallel" as const } };

describe("test_elbo_scale", () => {
  // Pyro draws data from Normal(0, 2); a fixed draw here. The hand model of
  // Pyro (each component's log-likelihood scaled by its probability) is the oracle.
  const data = [0.5, -1.2, 2.3];
  const params = new Params().add("mixture_probs", [0.25, 0.75], "simplex").add("locs", [-1, 1]);
  it("auto_model/auto_guide: which enumerated in the guide", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => function* () {
      const which = yield* sample("which", dist.Categorical(params.tensor(theta, "mixture_probs")));
      yield* plate("data", data.length, function* () {
        yield* sample("obs", dist.Normal(vindex(params.tensor(theta, "locs"), "...", which), 1), { obs: data });
      });
    },
    guide: (theta) => function* () {
      yield* sample("which", dist.Categorical(params.tensor(theta, "mixture_probs")), en);
    },
    oracle: (th) => {
      const w = params.value(th, "mixture_probs");
      const locs = params.value(th, "locs");
      return [0, 1].reduce((s, k) => s + w(k) * data.reduce((a, d) => a + normalLogPdf(d, locs(k), 1), 0), 0);
    },
  }));
});

describe("test_mixture_of_diag_normals (hand_model: mask = which == component)", () => {
  const data = [[0, 0], [1, 1], [2, 3], [1, 11]];
  for (const [id, scale] of [["MixtureOfDiagNormals", [[2, 1], [1, 2], [4, 4]]], ["MixtureOfDiagNormalsSharedCovariance", [2, 1]]] as const) {
    it(id, () => {
      const params = new Params()
        .add("locs", [[0, 0], [0, 1], [0, 10]])
        .add("coord_scale", scale as unknown as number[][], "positive")
        .add("component_logits", [0, -1, 2]);
      const shared = id.endsWith("SharedCovariance");
      checkLossAndGrads({
        params,
        maxPlateNesting: 2,
        model: (theta) => function* () {
          const locs = params.tensor(theta, "locs");
          const sc = params.tensor(theta, "coord_scale");
          const logits = params.tensor(theta, "component_logits");
          yield* plate("data", data.length, { dim: -2 }, function* () {
            const which = yield* sample("mask", dist.Categorical({ logits }), en);
            yield* plate("components", 3, { dim: -1 }, function* (ind) {
              yield* mask(which.equal(ind), function* () {
                yield* sample("obs", dist.Normal(locs, sc).toEvent(1), { obs: tf.tensor3d(data.map((r) => [r])) });
              });
            });
          });
        },
        oracle: (th) => {
          const locs = params.value(th, "locs");
          const sc = params.value(th, "coord_scale");
          const lgt = params.value(th, "component_logits");
          const w = softmax([0, 1, 2].map((k) => lgt(k)));
          return data.reduce((s, x) => s + lse([3], ([k]) => lg(w[k!]!) +
            x.reduce((a, xd, d) => a + normalLogPdf(xd, locs(k!, d), shared ? sc(d) : sc(k!, d)), 0)), 0);
        },
      });
    });
  }
});

describe("test_elbo_zip (composite_model: the MaskedMixture as two masked observations)", () => {
  const data = [0, 1, 2];
  const logFact = (n: number): number => (n <= 1 ? 0 : lg(n) + logFact(n - 1));
  for (const gate of [0.1, 0.25, 0.5, 0.75, 0.9]) {
    for (const rate of [0.1, 1, 3]) {
      it(`gate=${gate} rate=${rate}`, () => {
        const params = new Params().add("gate", gate).add("rate", rate, "positive");
        checkLossAndGrads({
          params,
          maxPlateNesting: 1,
          model: (theta) => function* () {
            const r = params.tensor(theta, "rate");
            yield* plate("data", data.length, function* () {
              const m = yield* sample("mask", dist.Bernoulli(params.tensor(theta, "gate")), en);
              yield* mask(m.equal(0), function* () {
                yield* sample("obs_poisson", dist.Poisson(r), { obs: data });
              });
              yield* mask(m.equal(1), function* () {
                yield* sample("obs_zero", dist.Delta(tf.scalar(0)), { obs: data });
              });
            });
          },
          // ZeroInflatedPoisson(gate, rate): gate * [d = 0] + (1 - gate) * Poisson(d; rate).
          oracle: (th) => {
            const g = params.value(th, "gate")();
            const r = params.value(th, "rate")();
            return data.reduce((s, d) => s + lg((d === 0 ? g : 0) + (1 - g) * Math.exp(d * lg(r) - r - logFact(d))), 0);
          },
        });
      });
    }
  }
});

describe("a mask around an enumerated site and its observation in a plate (issue 12, item 1)", () => {
  // Pyro's semantics: a masked enumerated site contributes nothing and adds no log K.
  const obs = [0.1, 0.2, 0.3];
  const keep = [true, true, false];
  const params = new Params().add("probs", [0.3, 0.7], "simplex").add("locs", [0, 1]);
  it("plate s (3) with mask [true, true, false]", () => checkLossAndGrads({
    params,
    maxPlateNesting: 1,
    model: (theta) => function* () {
      const locs = params.tensor(theta, "locs");
      yield* plate("s", 3, { dim: -1 }, function* () {
        yield* mask(tf.tensor1d(keep, "bool"), function* () {
          const x = yield* sample("x", dist.Categorical(params.tensor(theta, "probs")), en);
          yield* sample("y", dist.Normal(vindex(locs, "...", x), 1), { obs });
        });
      });
    },
    oracle: (th) => {
      const p = params.value(th, "probs");
      const locs = params.value(th, "locs");
      return obs.reduce((s, o, i) => s + (keep[i] ? lse([2], ([x]) => lg(p(x!)) + normalLogPdf(o, locs(x!), 1)) : 0), 0);
    },
  }));
});

