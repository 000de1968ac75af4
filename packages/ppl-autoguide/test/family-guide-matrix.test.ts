// Every distribution family of ppl-core as a latent prior × every autoguide ×
// 5 SVI steps (issue 22, "make the next class findable"): the losses are
// finite, the guide's params move, and nothing raw reaches the user.
//
// A continuous family is the prior of `x`, tied to an observation through its
// sum (so the ELBO has a gradient in every guide param). A discrete family
// with a finite support is enumerated in the model and hidden from the guide
// (TraceEnumELBO), next to a continuous `mu` the guide covers; an autoguide
// given the discrete site itself refuses with a PPLModelError naming it, and
// so does one given a discrete family whose support cannot be enumerated.
// The truth here is structural (finite, moving, refused by name); the numbers
// of each family and guide are tested against closed forms in their own files.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Adam, type Distribution, type Model, PPLError, PPLModelError, SVI, TraceELBO, block, clearParamStore, dist,
  getParamStore, sample, setRngSeed, transforms,
} from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import {
  AutoDelta, AutoDiagonalNormal, AutoLowRankMultivariateNormal, AutoMultivariateNormal, AutoNormal, type AutoGuide,
} from "ppl-autoguide";

type Guide = AutoGuide<[]>;
const guides: Array<[string, (m: Model<[]>) => Guide]> = [
  ["AutoDelta", (m) => new AutoDelta(m)],
  ["AutoNormal", (m) => new AutoNormal(m)],
  ["AutoDiagonalNormal", (m) => new AutoDiagonalNormal(m)],
  ["AutoMultivariateNormal", (m) => new AutoMultivariateNormal(m)],
  ["AutoLowRankMultivariateNormal", (m) => new AutoLowRankMultivariateNormal(m)],
];

/** Continuous families, each with small parameters (a batch or an event where the family has one). */
const continuous: Array<[string, () => Distribution]> = [
  ["Normal", () => dist.Normal(tf.tensor1d([0, 1]), 1).toEvent(1)],
  ["LogNormal", () => dist.LogNormal(0, 0.5)],
  ["HalfNormal", () => dist.HalfNormal(1)],
  ["Uniform", () => dist.Uniform(-1, 3)],
  ["Uniform (tensor bounds)", () => dist.Uniform(tf.tensor1d([0, 1]), tf.tensor1d([2, 5])).toEvent(1)],
  ["Beta", () => dist.Beta(2, 3)],
  ["Gamma", () => dist.Gamma(2, 1)],
  ["Exponential", () => dist.Exponential(1.5)],
  ["Dirichlet", () => dist.Dirichlet(tf.tensor1d([1, 2, 3]))],
  ["MultivariateNormal", () => dist.MultivariateNormal(tf.tensor1d([0, 1]), { scaleTril: tf.tensor2d([[1, 0], [0.3, 0.8]]) })],
  ["LowRankMultivariateNormal", () => dist.LowRankMultivariateNormal(tf.tensor1d([0, 1]), tf.tensor2d([[0.5], [0.2]]), tf.tensor1d([1, 1]))],
  ["StudentT", () => dist.StudentT(4, 0, 1)],
  ["Laplace", () => dist.Laplace(0, 1)],
  ["Cauchy", () => dist.Cauchy(0, 1)],
  ["HalfCauchy", () => dist.HalfCauchy(1)],
  ["InverseGamma", () => dist.InverseGamma(3, 2)],
  ["Chi2", () => dist.Chi2(3)],
  ["Weibull", () => dist.Weibull(1, 1.5)],
  ["Gumbel", () => dist.Gumbel(0, 1)],
  ["Logistic", () => dist.Logistic(0, 1)],
  ["VonMises", () => dist.VonMises(0.5, 2)],
  ["TruncatedNormal", () => dist.TruncatedNormal(0, 1, -1, 2)],
  ["TruncatedNormal (one-sided)", () => dist.TruncatedNormal(0, 1, 0, Infinity)],
  ["TransformedDistribution", () => dist.TransformedDistribution(dist.Normal(0, 1), [new transforms.ExpTransform()])],
  ["Independent", () => dist.Independent(dist.Normal(tf.zeros([3]), 1), 1)],
  ["LKJCholesky", () => dist.LKJCholesky(3, 2)],
  ["MixtureSameFamily", () => dist.MixtureSameFamily(dist.Categorical(tf.tensor1d([0.3, 0.7])), dist.Normal(tf.tensor1d([-1, 2]), 1))],
];

/** Discrete families: whether their support can be enumerated (a finite one), and its event rank (summed into y's mean). */
const discrete: Array<[string, () => Distribution, boolean, number]> = [
  ["Bernoulli", () => dist.Bernoulli(0.3), true, 0],
  ["Categorical", () => dist.Categorical(tf.tensor1d([1, 2, 3])), true, 0],
  ["Binomial", () => dist.Binomial(4, 0.3), true, 0],
  ["OneHotCategorical", () => dist.OneHotCategorical(tf.tensor1d([0.2, 0.8])), true, 1],
  ["Multinomial", () => dist.Multinomial(2, tf.tensor1d([0.5, 0.5])), true, 1],
  ["Poisson", () => dist.Poisson(2), false, 0],
  ["Geometric", () => dist.Geometric(0.4), false, 0],
  ["NegativeBinomial", () => dist.NegativeBinomial(3, 0.4), false, 0],
  ["GammaPoisson", () => dist.GammaPoisson(2, 1), false, 0],
  ["ZeroInflatedPoisson", () => dist.ZeroInflatedPoisson(2, { gate: 0.2 }), false, 0],
];

const en = { infer: { enumerate: "parallel" as const } };

function snapshot(): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of getParamStore().variables()) out.set(name, Float32Array.from(v.dataSync()));
  return out;
}

/** Five steps: every loss finite, some param moved; any error must be a PPLError (asserted by the caller). */
function fiveSteps(model: Model<[]>, guide: Guide, loss: TraceELBO | TraceEnumELBO): void {
  const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), loss);
  const losses = [svi.step()];
  const before = snapshot();
  for (let i = 0; i < 4; i++) losses.push(svi.step());
  expect(losses.every(Number.isFinite), `losses ${losses.join(", ")}`).toBe(true);
  const after = snapshot();
  expect(after.size).toBeGreaterThan(0);
  const moved = [...after].some(([name, v]) => v.some((x, i) => x !== before.get(name)![i]));
  expect(moved, "some guide param moved").toBe(true);
}

function noRawError(f: () => void): void {
  try {
    f();
  } catch (err) {
    if (err instanceof PPLError) throw new Error(`a PPL error where none was expected: ${err.name}: ${err.message}`);
    throw err;
  }
}

describe("every continuous family as a latent prior × every autoguide × 5 SVI steps", () => {
  for (const [family, prior] of continuous) {
    it(family, () => {
      for (const [guideName, make] of guides) {
        clearParamStore();
        setRngSeed(7);
        function* model() {
          const x = yield* sample("x", prior());
          yield* sample("y", dist.Normal(x.sum(), 1), { obs: 0.3 });
        }
        try {
          noRawError(() => fiveSteps(model, make(model), new TraceELBO()));
        } catch (err) {
          throw new Error(`${family} × ${guideName}: ${(err as Error).message}`);
        }
      }
      clearParamStore();
    });
  }
});

describe("every discrete family × every autoguide: enumerated and hidden, or refused by name", () => {
  for (const [family, prior, finite, eventRank] of discrete) {
    // the value's event summed (an enumerated value carries its enumeration dim on the left)
    const real = (z: tf.Tensor) => (eventRank === 0 ? z.cast("float32") : z.sum(-1));
    it(family, () => {
      for (const [guideName, make] of guides) {
        clearParamStore();
        setRngSeed(7);
        const where = `${family} × ${guideName}`;
        // given to the guide itself: refused, naming the site
        function* exposed() {
          const z = yield* sample("z", prior());
          yield* sample("y", dist.Normal(real(z), 1), { obs: 0.3 });
        }
        let err: unknown;
        try {
          new SVI(exposed, make(exposed), new Adam({ lr: 0.05 }), new TraceELBO()).step();
        } catch (e) {
          err = e;
        }
        expect(err, where).toBeInstanceOf(PPLModelError);
        expect((err as PPLModelError).site, where).toBe("z");
        if (!finite) continue;
        // enumerated in the model, hidden from the guide, beside a continuous latent the guide covers
        function* model() {
          const mu = yield* sample("mu", dist.Normal(0, 1));
          const z = yield* sample("z", prior(), en);
          yield* sample("y", dist.Normal(mu.add(real(z)), 1), { obs: 0.3 });
        }
        try {
          noRawError(() => fiveSteps(model, make(block(model, { hide: ["z"] })), new TraceEnumELBO({ maxPlateNesting: 0 })));
        } catch (e) {
          throw new Error(`${where}: ${(e as Error).message}`);
        }
      }
      clearParamStore();
    });
  }
});

describe("the families with no density to learn under a guide", () => {
  it("a Delta prior under AutoNormal: a PPL error, not a raw one", () => {
    clearParamStore();
    function* model() {
      yield* sample("x", dist.Delta(tf.scalar(1)));
    }
    let err: unknown;
    try {
      new SVI(model, new AutoNormal(model), new Adam({ lr: 0.05 }), new TraceELBO()).step();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PPLError);
    clearParamStore();
  });
});
