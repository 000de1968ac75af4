// Catalogue of mistakes users make, one `it` per mistake, grouped by area. Each
// asserts the error class, that the message names what is wrong and what was
// expected, and the structured fields (site, plate, expected, actual).
// The enumeration mistakes live in packages/ppl-enum/test/error-catalogue.test.ts.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLConfigError, PPLError, PPLModelError, PPLNumericalError, PPLResourceError, PPLShapeError, PPLSupportError, Predictive, SVI,
  SGD, TraceELBO, block, clearParamStore, condition, getParamStore, constraints, dist, factor, markov, param, plate, range, replay, run, sample, scale,
  seed, setRngSeed, setValidation, substitute, trace, vindex,
} from "ppl-core";
import type { Distribution, Model } from "ppl-core";
import { expectPPLError } from "./helpers.js";

function* emptyGuide() {}
const elboLoss = (model: Model<[]>, guide: Model<[]> = emptyGuide) => new TraceELBO().loss(model, guide);

beforeEach(() => {
  clearParamStore();
  setRngSeed(11);
});
afterEach(() => {
  setValidation(true);
  clearParamStore();
});

describe("shapes", () => {
  it("an observed value whose shape does not broadcast to the site's batch shape", () => {
    function* model() {
      yield* sample("x", dist.Normal(tf.zeros([3]), 1), { obs: tf.zeros([4]) });
    }
    expectPPLError(() => elboLoss(model), PPLShapeError, ["at site 'x'", "shape [4]", "[3]", "Try one of the following fixes", "Trace shapes:"], {
      site: "x", expected: "[3]", actual: "[4]",
    });
  });

  it("an observed value whose rightmost dims differ from the event shape (they would silently broadcast)", () => {
    function* model() {
      yield* sample("v", dist.Normal(tf.zeros([1]), 1).toEvent(1), { obs: tf.zeros([3]) });
    }
    expectPPLError(() => run(model), PPLShapeError, ["sample('v')", "shape [3]", "event shape [1]", ".toEvent(n)"], {
      site: "v", expected: "[1]", actual: "[3]",
    });
  });

  it("an observed value that does not fit the plate it is observed in names the site and the plate", () => {
    function* model() {
      yield* plate("data", 3, function* () {
        yield* sample("y", dist.Normal(0, 1), { obs: tf.zeros([4]) });
      });
    }
    expectPPLError(() => elboLoss(model), PPLShapeError, ["at site 'y'", "'data' (size 3) at dim -1", "shape [4]"], {
      site: "y", plate: "data", actual: "[4]",
    });
  });

  it("distribution parameters whose size differs from the enclosing plate's", () => {
    function* model() {
      yield* plate("data", 3, function* () {
        yield* sample("y", dist.Normal(tf.zeros([4]), 1));
      });
    }
    expectPPLError(() => trace(model).getTrace(), PPLShapeError, ["at site 'y'", "plate('data') at dim -1", "size 4", "size 3"], {
      site: "y", plate: "data", expected: "3 or 1 at dim -1", actual: "[4]",
    });
  });

  it("a batched site outside any plate (a log-prob dim that no plate owns)", () => {
    function* model() {
      yield* sample("x", dist.Normal(tf.zeros([5]), 1), { obs: tf.zeros([5]) });
    }
    expectPPLError(() => elboLoss(model), PPLShapeError, [
      "at site 'x'", "dim -1 has size 5 but no plate owns it", "plate(...)", ".toEvent(...)", "Trace shapes:", /x\s+obs\s+Normal\s+\[5\] \| \[\]/,
    ], {
      site: "x", actual: "[5]",
    });
  });

  it("two plates claiming one dim", () => {
    function* model() {
      yield* plate("a", 2, { dim: -1 }, function* () {
        yield* plate("b", 3, { dim: -1 }, function* () {
          yield* sample("x", dist.Normal(0, 1));
        });
      });
    }
    expectPPLError(() => trace(model).getTrace(), PPLShapeError, ["plates 'a' and 'b' collide at dim=-1", "dim=-2"], {
      plate: "b", expected: "distinct plate dims", actual: "-1",
    });
  });

  it("a plate of 1e9 members (no subsampling) is refused before tf.range allocates it", () => {
    function* model() {
      yield* plate("data", 1e9, function* () {
        yield* sample("x", dist.Normal(0, 1));
      });
    }
    expectPPLError(() => trace(model).getTrace(), PPLResourceError, ["plate('data')", "1,000,000,000 elements", "67,108,864", "subsampleSize"], {
      plate: "data", expected: "at most 67108864 elements", actual: "1000000000 elements",
    });
  });

  it("a site whose plates multiply to 1e9 elements is refused before its distribution is expanded", () => {
    function* model() {
      yield* plate("rows", 1e5, function* () {
        yield* plate("cols", 1e4, function* () {
          yield* sample("big", dist.Normal(0, 1));
        });
      });
    }
    expectPPLError(() => trace(model).getTrace(), PPLResourceError, ["sample('big')", "'rows' (100000)", "'cols' (10000)", "1,000,000,000 elements"], {
      site: "big", expected: "at most 67108864 elements", actual: "1000000000 elements",
    });
  });

  it("a distribution's own draw over the limit, outside any model, is refused naming the family, for every family", () => {
    expectPPLError(() => dist.Normal(0, 1).sample([1e9]), PPLResourceError, ["Normal.sample([1000000000])", "1,000,000,000 elements", "67,108,864"], {
      expected: "at most 67108864 elements", actual: "1000000000 elements",
    });
    // families whose draws are built differently (rejection, a Gamma pair, categories, a Cholesky factor) size them in the same place
    for (const d of [dist.Gamma(2, 1), dist.Beta(2, 3), dist.Categorical(tf.ones([3])), dist.Dirichlet(tf.ones([3])), dist.Poisson(3), dist.LKJCholesky(3, 1)]) {
      expectPPLError(() => d.sample([1e5, 1e4]), PPLResourceError, [`${d.name}.sample([100000, 10000])`]);
    }
  });

  it("a vindex tensor index out of range", () => {
    const table = tf.tensor2d([[0.5, 0.5], [0.1, 0.9]]);
    expectPPLError(() => vindex(table, "...", tf.tensor1d([0, 2], "int32"), ":"), PPLShapeError, ["holds 2", "dim of size 2"], {
      expected: "[0, 1]", actual: "2",
    });
  });

  it("a vindex index that is not an integer (float dtype, or a fractional number)", () => {
    const table = tf.tensor2d([[0.5, 0.5], [0.1, 0.9]]);
    expectPPLError(() => vindex(table, "...", tf.tensor1d([0, 1]), ":"), PPLConfigError, ["dtype float32", "int32"], {
      expected: "int32", actual: "float32",
    });
    expectPPLError(() => vindex(table, 0.5, ":"), PPLShapeError, ["index 0.5", "size 2"], { actual: "0.5" });
  });
});

describe("support and data", () => {
  it("NaN in observed data names the site and the position", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: tf.tensor1d([0.2, NaN, 1]) });
    }
    expectPPLError(() => run(model), PPLSupportError, ["sample('y')", "NaN at flat index 1", "finite"], {
      site: "y", expected: "finite", actual: "NaN",
    });
  });

  it("Infinity in data given through condition(...)", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1));
    }
    const conditioned = condition(model, { y: tf.scalar(Infinity) });
    expectPPLError(() => run(conditioned), PPLSupportError, ["sample('y')", "Infinity"], { site: "y", actual: "Infinity" });
  });

  it("an observed value outside the support (a category label >= K)", () => {
    function* model() {
      yield* sample("label", dist.Categorical([0.2, 0.3, 0.5]), { obs: tf.tensor1d([0, 2, 3], "int32") });
    }
    expectPPLError(() => run(model), PPLSupportError, ["sample('label')", "outside the support of Categorical", "element 2 is 3"], {
      site: "label", expected: "integerInterval(0, 2)", actual: "3",
    });
  });

  it("a negative scale", () => {
    expectPPLError(() => dist.Normal(0, tf.tensor1d([1, -2])), PPLSupportError, ["Normal", "'scale'", "positive", "-2"], {
      expected: "positive", actual: "-2",
    });
  });

  it("probs with a negative weight (unnormalised ones are normalised, as torch does)", () => {
    expectPPLError(() => dist.Categorical([0.5, -0.6]), PPLSupportError, ["Categorical", "'probs'", "nonnegative", "0.5, -0.6"], {
      expected: "nonnegative finite weights with a positive sum", actual: "[0.5, -0.6]",
    });
  });

  it("a bad parameter of a distribution given to a site names the site (Categorical, Normal, Beta, Uniform, MultivariateNormal, DiscreteHMM)", () => {
    // the check fails when the distribution is made, before sample(name, d) is called; the site throws it with its name
    const cases: [string, () => Distribution, string[], string][] = [
      ["c", () => dist.Categorical(tf.tensor2d([[0.2, 0.8], [1, -1]])), ["Categorical", "'probs'", "element 1 is [1, -1]"], "nonnegative finite weights with a positive sum"],
      ["n", () => dist.Normal(0, tf.tensor1d([1, -2])), ["Normal", "'scale'", "positive", "element 1 is -2"], "positive"],
      ["b", () => dist.Beta(0, 1), ["Beta", "'concentration1'", "positive", "element 0 is 0"], "positive"],
      ["u", () => dist.Uniform(2, 1), ["Uniform", "'high' must be greater than 'low'"], "high > low"],
      ["m", () => dist.MultivariateNormal(tf.zeros([2]), tf.tensor2d([[1, 2], [2, 1]])), ["MultivariateNormal", "'covarianceMatrix'", "positiveDefinite"], "positiveDefinite"],
      ["h", () => dist.DiscreteHMM(tf.tensor1d([-Infinity, -Infinity]), tf.zeros([2, 2]), dist.Normal(tf.zeros([2]), 1), { duration: 3 }),
        ["DiscreteHMM", "'initialLogits'", "every entry -Infinity"], "at least one finite logit per row"],
    ];
    for (const [site, make, words, expected] of cases) {
      function* model() {
        yield* sample("before", dist.Normal(0, 1));
        yield* sample(site, make());
      }
      expectPPLError(() => trace(model).getTrace(), PPLSupportError, [`sample('${site}')`, ...words], { site, expected });
    }
  });

  it("a bad parameter names the site through expand, toEvent and obs, in a guide, and when the distribution was made before another site", () => {
    const bad = () => dist.Normal(0, -1);
    function* expanded() {
      yield* sample("e", bad().expand([3]).toEvent(1));
    }
    expectPPLError(() => trace(expanded).getTrace(), PPLSupportError, ["sample('e')", "Normal", "'scale'"], { site: "e" });
    function* observed() {
      yield* sample("y", dist.Categorical([-1, 1]), { obs: tf.scalar(0, "int32") });
    }
    expectPPLError(() => trace(observed).getTrace(), PPLSupportError, ["sample('y')", "Categorical", "'probs'"], { site: "y" });
    // made before another site and given to the later one: the later one is named
    function* later() {
      const d = bad();
      yield* sample("first", dist.Normal(0, 1));
      yield* sample("second", d);
    }
    expectPPLError(() => trace(later).getTrace(), PPLSupportError, ["sample('second')", "Normal"], { site: "second" });
    // ... also when a run nested in between ends (an autoguide reading its params runs one): it leaves the failure to 'y'
    function* nested() {
      const d = bad();
      run(function* () {
        yield* sample("inner", dist.Normal(0, 1));
      });
      yield* sample("y", d);
    }
    expectPPLError(() => run(nested), PPLSupportError, ["sample('y')", "Normal"], { site: "y" });
    function* model() {
      yield* sample("z", dist.Normal(0, 1));
    }
    function* guide() {
      const s = yield* param("s", tf.scalar(-0.5));
      yield* sample("z", dist.Normal(0, s));
    }
    expectPPLError(() => elboLoss(model, guide), PPLSupportError, ["sample('z')", "Normal", "'scale'", "-0.5"], { site: "z", actual: "-0.5" });
  });

  it("a bad distribution used for its log-density alone fails when the run ends, and outside a model at once", () => {
    function* model() {
      const lp = dist.Normal(0, -1).logProb(tf.scalar(0));
      yield* factor("f", lp);
    }
    const err = expectPPLError(() => run(model), PPLSupportError, ["Normal: parameter 'scale' must be positive"]);
    expect(err.site).toBeUndefined();
    expectPPLError(() => dist.Beta(1, 0), PPLSupportError, ["Beta", "'concentration0'"]);
    setValidation(false);
    function* unchecked() {
      yield* sample("n", dist.Normal(0, -1));
    }
    expect(() => tf.tidy(() => run(unchecked))).not.toThrow();
  });

  it("a Dirichlet concentration <= 0", () => {
    expectPPLError(() => dist.Dirichlet([1, 0, 2]), PPLSupportError, ["Dirichlet", "'concentration'", "positive"], {
      expected: "positive",
    });
  });

  it("an initial param value outside its constraint", () => {
    function* model() {
      yield* param("s", tf.scalar(-1), { constraint: constraints.positive });
    }
    expectPPLError(() => run(model), PPLModelError, ["param('s')", "positive"], { site: "s", expected: "positive" });
  });
});

describe("numerics", () => {
  it("a NaN loss names the site whose log-density went non-finite first, with its parameters", () => {
    // the guide proposes negative values for a LogNormal site
    function* model() {
      yield* sample("s", dist.LogNormal(0, 1));
    }
    function* guide() {
      const m = yield* param("m", tf.scalar(-3));
      yield* sample("s", dist.Normal(m, 0.1));
    }
    const svi = new SVI(model, guide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, ["the loss is NaN", "model site 's' (LogNormal)", "loc=0, scale=1", "Try one of"], {
      site: "s", expected: "finite", actual: "NaN",
    });
  });

  it("an infinite loss is reported as infinite, naming the site", () => {
    function* model() {
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("x", dist.Normal(loc, 1), { obs: 1e30 });
    }
    const svi = new SVI(model, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, ["the loss is Infinity", "model site 'x' (Normal)", "-Infinity"], {
      site: "x", actual: "Infinity",
    });
    expectPPLError(() => svi.evaluateLoss(), PPLNumericalError, ["model site 'x'"], { site: "x" });
  });
});

describe("model structure", () => {
  it("a duplicate site name in one trace", () => {
    function* model() {
      for (let t = 0; t < 2; t++) yield* sample("z", dist.Normal(0, 1));
    }
    expectPPLError(() => trace(model).getTrace(), PPLModelError, ["Multiple sample sites named 'z'", "z_${t}"], { site: "z" });
  });

  it("a primitive called without yield* (detected when the run ends)", () => {
    function* model() {
      sample("forgot", dist.Normal(0, 1));
      yield* sample("ok", dist.Normal(0, 1));
    }
    expectPPLError(() => trace(model).getTrace(), PPLModelError, ["sample('forgot')", "never run", "yield*"], {
      site: "forgot", expected: "yield* sample('forgot')", actual: "sample('forgot')",
    });
    // the next, correct run is not blamed for it
    expect(() => tf.tidy(() => void trace(function* () {
      yield* sample("ok", dist.Normal(0, 1));
    }).getTrace())).not.toThrow();
  });

  it("a plain function (not a generator) passed as the model", () => {
    const notAGenerator = (() => 42) as unknown as Model<[]>;
    expectPPLError(() => trace(notAGenerator).getTrace(), PPLModelError, ["must be a generator function", "a number", "function*"], {
      expected: "generator", actual: "a number",
    });
    const svi = new SVI(notAGenerator, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLModelError, ["must be a generator function"]);
  });

  it("an arrow function returning a primitive (function* and yield* forgotten)", () => {
    const arrow = (() => sample("x", dist.Normal(0, 1))) as unknown as Model<[]>;
    expectPPLError(() => run(arrow), PPLModelError, ["sample('x')", "without yield*", "function*"], { actual: "sample('x')" });
    // the abandoned effect is not blamed on the next run
    expect(() => tf.tidy(() => void run(function* () {
      yield* sample("y", dist.Normal(0, 1));
    }))).not.toThrow();
  });

  it("a guide that returns before yielding anything, with no params anywhere: nothing to learn", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: 0.5 });
    }
    function* guide() {
      return; // returns before yielding
    }
    const svi = new SVI(model, guide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLModelError, ["does not depend on any param", "nothing to learn", "AutoDelta"], {
      expected: "param", actual: "no param",
    });
  });

  it("a loss that uses none of the params in the store (stale params from another model)", () => {
    run(function* () {
      yield* param("elsewhere", tf.scalar(1));
    });
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: 0.5 });
    }
    const svi = new SVI(model, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    const before = tf.memory().numTensors;
    expectPPLError(() => svi.step(), PPLModelError, ["does not depend on any param", "elsewhere"]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a guide with a site the model lacks", () => {
    function* model() {
      yield* sample("a", dist.Normal(0, 1));
    }
    function* guide() {
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("a", dist.Normal(loc, 1));
      yield* sample("typo_b", dist.Normal(loc, 1));
    }
    expectPPLError(() => elboLoss(model, guide), PPLModelError, ["replayed trace (under an ELBO: the guide's) has a latent site 'typo_b'", "the model has no sample site of that name", "Its sample sites: a"], {
      site: "typo_b",
    });
  });

  it("a model latent site the guide lacks", () => {
    function* model() {
      yield* sample("a", dist.Normal(0, 1));
      yield* sample("b", dist.Normal(0, 1));
    }
    function* guide() {
      yield* sample("a", dist.Normal(0, 1));
    }
    expectPPLError(() => elboLoss(model, guide), PPLModelError, ["model site 'b' is latent but the guide does not sample it"], { site: "b" });
  });

  it("a guide that samples a site the model observes", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: 1 });
    }
    function* guide() {
      yield* sample("y", dist.Normal(0, 1));
    }
    expectPPLError(() => elboLoss(model, guide), PPLModelError, ["guide site 'y' is observed in the model"], { site: "y" });
  });
});

describe("params", () => {
  it("a param re-declared with another constraint", () => {
    function* model() {
      yield* param("w", tf.scalar(1), { constraint: constraints.positive });
      yield* param("w", tf.scalar(0.5), { constraint: constraints.unitInterval });
    }
    expectPPLError(() => run(model), PPLModelError, ["param('w')", "positive", "unitInterval"], {
      site: "w", expected: "positive", actual: "unitInterval",
    });
  });

  it("a param re-declared with another shape", () => {
    run(function* () {
      yield* param("w", tf.zeros([3]));
    });
    function* model() {
      yield* param("w", tf.zeros([2, 3]));
    }
    expectPPLError(() => run(model), PPLModelError, ["param('w')", "[3]", "[2, 3]"], { site: "w", expected: "[3]", actual: "[2, 3]" });
  });

  it("a param read before it exists, without an initial value", () => {
    function* model() {
      yield* param("missing");
    }
    expectPPLError(() => run(model), PPLModelError, ["param('missing') does not exist yet"], { site: "missing" });
  });
});

describe("optimisers and SVI", () => {
  it("a non-positive learning rate", () => {
    expectPPLError(() => new Adam({ lr: 0 }), PPLConfigError, ["Adam", "lr", "valid options are lr, betas, eps"], { actual: "lr=0" });
    expectPPLError(() => new Adam({ lr: -0.01 }), PPLConfigError, ["lr"], { actual: "lr=-0.01" });
    expectPPLError(() => new ClippedAdam({ lr: -1 }), PPLConfigError, ["ClippedAdam", "lr"], { actual: "lr=-1" });
  });

  it("betas outside [0, 1)", () => {
    expectPPLError(() => new Adam({ betas: [0.9, 1] }), PPLConfigError, ["Adam", "betas"], { actual: "betas.1" });
  });

  it("SVI given something that is not an optimiser or not a loss", () => {
    function* model() {}
    expectPPLError(() => new SVI(model, emptyGuide, { lr: 0.1 } as never, new TraceELBO()), PPLConfigError, ["optim must be an optimiser", "new Adam"]);
    expectPPLError(() => new SVI(model, emptyGuide, new Adam(), {} as never), PPLConfigError, ["loss must be an ELBO", "TraceELBO"]);
  });

  it("a non-integer seed", () => {
    expectPPLError(() => setRngSeed(1.5), PPLConfigError, ["setRngSeed", "integer", "1.5"], { expected: "integer", actual: "1.5" });
    expectPPLError(() => seed(emptyGuide, Number.NaN), PPLConfigError, ["seed", "integer"], { actual: "NaN" });
  });

  it("a non-positive scale", () => {
    expectPPLError(() => scale(emptyGuide, 0), PPLConfigError, ["scale", "positive"], { expected: "> 0", actual: "0" });
  });
});

describe("wrong option names", () => {
  const cases: [string, () => unknown, string, string][] = [
    ["Adam", () => new Adam({ learningRate: 0.1 } as never), "learningRate", "lr, betas, eps"],
    ["ClippedAdam", () => new ClippedAdam({ clip_norm: 5 } as never), "clip_norm", "lr, betas, eps, clipNorm, lrd"],
    ["TraceELBO", () => new TraceELBO({ num_particles: 2 } as never), "num_particles", "numParticles, vectorizeParticles, maxPlateNesting"],
    ["block", () => block(emptyGuide, { expose: ["a"], hides: ["b"] } as never), "hides", "expose, hide, exposeTypes, hideTypes, hideFn"],
  ];
  for (const [who, make, bad, valid] of cases) {
    it(`${who}: an unknown key is an error listing the valid ones`, () => {
      expectPPLError(make, PPLConfigError, [who, bad, `valid options are ${valid}`], { expected: valid, actual: bad });
    });
  }

  it("plate: an unknown key", () => {
    function* model() {
      yield* plate("data", 3, { dims: -1 } as never, function* () {});
    }
    expectPPLError(() => run(model), PPLConfigError, ["plate('data')", "dims", "valid options are dim", "subsampleSize"], {
      plate: "data", expected: "dim, subsampleSize", actual: "dims",
    });
  });

  it("sample and its infer options: an unknown key", () => {
    expectPPLError(() => sample("x", dist.Normal(0, 1), { observed: 1 } as never), PPLConfigError, ["sample('x')", "'observed'", "valid options are obs, infer"], {
      expected: "obs, infer", actual: "observed",
    });
    expectPPLError(() => sample("x", dist.Normal(0, 1), { infer: { enum: "parallel" } as never }), PPLConfigError, ["sample('x') infer", "'enum'", "enumerate, expand"], {
      actual: "enum",
    });
  });

  it("param and markov: an unknown key", () => {
    expectPPLError(() => param("p", 1, { constraints: constraints.positive } as never), PPLConfigError, ["param('p')", "'constraints'", "constraint"], {
      actual: "constraints",
    });
    function* model() {
      yield* markov(range(2), function* () {}, { histroy: 2 } as never);
    }
    expectPPLError(() => run(model), PPLConfigError, ["markov", "'histroy'", "valid options are history, name"], {
      expected: "history, name", actual: "histroy",
    });
  });
});

describe("markov", () => {
  it("a number where the iterable goes (markov(T, ...) instead of markov(range(T), ...))", () => {
    function* model() {
      yield* markov(5 as never, function* () {});
    }
    expectPPLError(() => run(model), PPLConfigError, ["markov(iterable, body)", "iterable such as range(T)", "markov(range(5), ...)"], {
      expected: "iterable", actual: "5",
    });
  });
});

describe("every user error is a PPLError", () => {
  it("errors from tfjs inside a site's log-prob are rewrapped with the site", () => {
    function* model() {
      // batch [2] against a value with batch [4]: tfjs's broadcasting error inside Dirichlet.logProb
      yield* sample("v", dist.Dirichlet(tf.ones([2, 3])), { obs: tf.fill([4, 3], 1 / 3) });
    }
    const err = expectPPLError(() => elboLoss(model), PPLError, ["at site 'v'"], { site: "v" });
    expect([PPLShapeError, PPLSupportError].some((c) => err instanceof c)).toBe(true);
  });
});

// Issue 23 "Silent": mistakes that gave a wrong number (or nothing) now give an error or the right value.
describe("silent mistakes in a hand-computed log joint", () => {
  it("data on the wrong plate dim in trace(...).logProbSum()", () => {
    // 3 data points given as [3, 1] inside a plate at dim -1: the log-prob would be [3, 3] (9 terms, 3x the right value)
    function* model() {
      yield* plate("data", 3, function* () {
        yield* sample("y", dist.Normal(0, 1), { obs: tf.zeros([3, 1]) });
      });
    }
    expectPPLError(() => trace(model).getTrace().logProbSum(), PPLShapeError, ["at site 'y'", "dim -2 has size 3 but no plate owns it", "Trace shapes:"], {
      site: "y", actual: "[3, 3]",
    });
  });

  it("an empty observation in trace(...).logProbSum()", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: tf.zeros([0]) });
    }
    expectPPLError(() => trace(model).getTrace().logProbSum(), PPLShapeError, ["at site 'y'", "the log-prob is empty", "value shape [0]"], {
      site: "y", expected: "a non-empty value", actual: "[0]",
    });
  });

  it("a condition value of the wrong shape in trace(...).logProbSum()", () => {
    function* model() {
      yield* sample("x", dist.Normal(0, 1));
    }
    const conditioned = condition(model, { x: tf.zeros([3]) });
    expectPPLError(() => trace(conditioned).getTrace().logProbSum(), PPLShapeError, ["at site 'x'", "dim -1 has size 3 but no plate owns it"], {
      site: "x", actual: "[3]",
    });
  });

  it("a plate of size 5 observing a [1] tensor", () => {
    function* model() {
      yield* plate("data", 5, function* () {
        yield* sample("y", dist.Normal(0, 1), { obs: tf.tensor1d([0.3]) });
      });
    }
    const parts = ["at site 'y'", "size 1 at dim -1", "plate 'data' has size 5", "counted 5 times"];
    const fields = { site: "y", plate: "data", expected: "size 5 at dim -1", actual: "[1]" };
    expectPPLError(() => trace(model).getTrace().logProbSum(), PPLShapeError, parts, fields);
    expectPPLError(() => elboLoss(model), PPLShapeError, parts, fields);
  });

  it("logProbSum then logProb(site) returns a live tensor with the site's log-density", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: 0.5 });
    }
    tf.tidy(() => {
      const tr = trace(model).getTrace();
      const total = tr.logProbSum().dataSync()[0]!;
      const lp = tr.logProb("y");
      expect(lp.isDisposed).toBe(false);
      // closed form: log N(0.5; 0, 1) = -log(2π)/2 - 0.125
      const want = -0.5 * Math.log(2 * Math.PI) - 0.125;
      expect(lp.dataSync()[0]).toBeCloseTo(want, 5);
      expect(total).toBeCloseTo(want, 5);
      tr.dispose();
    });
  });
});

describe("params SVI learns", () => {
  it("block(m, { hideTypes: ['param'] }) freezes the hidden param (Pyro's GMM tutorial's global guide)", () => {
    // Pyro records the params a step's traces contain (param_capture) and updates only those: a hidden param keeps its init
    function* frozenPart() {
      return yield* param("frozen", tf.scalar(0));
    }
    const hidden = block(frozenPart, { hideTypes: ["param"] });
    function* model() {
      const z = yield* sample("z", dist.Normal(0, 1));
      yield* sample("y", dist.Normal(z, 1), { obs: 2 });
    }
    function* guide() {
      const shift = yield* hidden();
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("z", dist.Normal(loc.add(shift), 1));
    }
    const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO());
    for (let i = 0; i < 50; i++) svi.step();
    const values = getParamStore().values();
    expect(values.frozen).toBe(0);
    // the visible param moves towards the posterior mean 1 (Adam moves it by up to lr = 0.05 per step)
    expect(values.loc as number).toBeGreaterThan(0.5);
  });
});

// Issue 23 "SVI never leaves a non-finite value behind".
describe("SVI never writes a non-finite step", () => {
  it("a step whose loss is infinite leaves every param at its value and names the lr", () => {
    function* model() {
      const loc = yield* param("loc", tf.scalar(0.25));
      yield* sample("x", dist.Normal(loc, 1), { obs: 1e30 });
    }
    const svi = new SVI(model, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, ["the loss is Infinity", "model site 'x'", "were not updated", "lr is 0.1 now; try 0.01"], {
      site: "x", actual: "Infinity",
    });
    expect(getParamStore().values().loc).toBeCloseTo(0.25, 7);
  });

  it("a finite loss with a non-finite gradient is caught at that step, naming the param", () => {
    // d/dp sqrt(|p|) at p = 0 is not finite while the loss, -sqrt(0) + q², is
    function* model() {
      const p = yield* param("p", tf.scalar(0));
      const q = yield* param("q", tf.scalar(1.5));
      yield* factor("f", p.abs().sqrt().sub(q.square()));
    }
    const svi = new SVI(model, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, ["the loss is finite (2.25)", "gradient is not finite for param(s) 'p'", "were not updated", "lr is 0.1"], {
      site: "p", expected: "finite gradients",
    });
    const values = getParamStore().values();
    expect(values.p).toBe(0);
    expect(values.q).toBeCloseTo(1.5, 7);
  });

  it("the diagnosis of a non-finite loss describes the failing step's own draw and leaves the RNG where the step left it", () => {
    // the guide proposes values outside Beta's support (0, 1) for ~62% of draws: the loss is then NaN
    const drawn: number[] = [];
    function* model() {
      const w = yield* param("w", tf.scalar(0));
      yield* sample("s", dist.Beta(2, 2));
      yield* sample("y", dist.Normal(w, 1), { obs: 0.5 });
    }
    function* guide() {
      const s = yield* sample("s", dist.Normal(0.5, 1));
      drawn.push(s.dataSync()[0]!);
    }
    for (let seedValue = 0; seedValue < 12; seedValue++) {
      clearParamStore();
      setRngSeed(seedValue);
      drawn.length = 0;
      const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceELBO());
      let err: Error | undefined;
      for (let i = 0; i < 30 && err === undefined; i++) {
        try {
          tf.tidy(() => void svi.step());
        } catch (e) {
          err = e as Error;
        }
      }
      expect(err).toBeInstanceOf(PPLNumericalError);
      // the last draw is the diagnosis's redraw: the same value as the failing step's
      const failing = drawn[drawn.length - 2]!;
      expect(drawn[drawn.length - 1]).toBe(failing);
      expect(failing < 0 || failing > 1).toBe(true);
      expect(err!.message).toContain("model site 's' (Beta)");
      expect(err!.message).toContain(`its value: ${JSON.stringify(failing)}`);
      // the next draw follows the failing step's draws, as if no diagnosis had run: replay the same guide runs from the seed
      const guideRuns = drawn.length - 1;
      tf.tidy(() => run(guide));
      const next = drawn[drawn.length - 1];
      setRngSeed(seedValue);
      drawn.length = 0;
      for (let i = 0; i <= guideRuns; i++) tf.tidy(() => run(guide));
      expect(drawn[guideRuns]).toBe(next);
    }
  });

  it("a diverging update is refused at the step that makes it: nothing written, naming the param, the site and the lr", () => {
    // SGD on u = log(scale) with data at ±100 and scale 1: d loss/du = Σ(1 − y²/scale²) = −19998, so at lr 1 the
    // new u is 19998: finite, but the scale a site reads, exp(u), is Infinity
    function* model() {
      const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
      yield* plate("data", 2, function* () {
        yield* sample("y", dist.Normal(0, scale), { obs: tf.tensor1d([100, -100]) });
      });
    }
    const optim = new SGD({ lr: 1, momentum: 0.9 });
    const svi = new SVI(model, emptyGuide, optim, new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, [
      "SVI step 0", "'scale' (its new unconstrained value 19998 at element 0 maps to Infinity under its constraint positive",
      "site 'y'", "Nothing was written", "lr is 1 now; try 0.1",
    ], { site: "y", expected: "finite params after the update", actual: "scale" });
    // the store keeps the last finite value (the init) ...
    expect(getParamStore().unconstrained("scale").dataSync()[0]).toBe(0);
    // ... and the optimiser's state: the next step is a first step (momentum buffer = g), u = 1e-5 · 19998;
    // had the refused step's buffer been kept it would be 1e-5 · 1.9 · 19998
    optim.lr = 1e-5;
    svi.step();
    expect(getParamStore().unconstrained("scale").dataSync()[0]).toBeCloseTo(1e-5 * 19998, 5);
  });

  it("an update whose constrained value leaves the constraint (a scale that underflows to 0) is refused", () => {
    // data at ±0.001 under Normal(0, scale = exp(u)): d loss/du = Σ(1 − y²) ≈ 2, so SGD at lr 100 makes u ≈ −200
    // and exp(−200) is 0 in float32: finite, but not positive
    function* model() {
      const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
      yield* plate("data", 2, function* () {
        yield* sample("y", dist.Normal(0, scale), { obs: tf.tensor1d([0.001, -0.001]) });
      });
    }
    const svi = new SVI(model, emptyGuide, new SGD({ lr: 100 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, ["'scale' (its new unconstrained value -199.9", "maps to 0 under its constraint positive, outside it", "site 'y'"], {
      site: "y", actual: "scale",
    });
    expect(getParamStore().unconstrained("scale").dataSync()[0]).toBe(0);
  });

  it("an update that itself overflows float32 is refused, naming the param", () => {
    // loss = (y − loc)² / 2 + const, d/dloc = −1e5 at loc 0; lr 1e35 makes the step 1e40, beyond float32
    function* model() {
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("y", dist.Normal(loc, 1), { obs: tf.scalar(1e5) });
    }
    const svi = new SVI(model, emptyGuide, new SGD({ lr: 1e35 }), new TraceELBO());
    expectPPLError(() => svi.step(), PPLNumericalError, [
      "'loc' (its new unconstrained value is Infinity at element 0: the update itself overflowed)", "Nothing was written", "lr is 1e+35 now",
    ], { actual: "loc" });
    expect(getParamStore().unconstrained("loc").dataSync()[0]).toBe(0);
  });

  it("saving a store that holds NaN is refused, naming the param", () => {
    run(function* () {
      yield* param("ok", tf.scalar(1));
      yield* param("bad", tf.tensor1d([0, 0]));
    });
    getParamStore().unconstrained("bad").assign(tf.tensor1d([0, NaN]));
    expectPPLError(() => JSON.stringify(getParamStore().toJSON()), PPLNumericalError, ["param 'bad'", "NaN at element 1", "saved as null"], {
      site: "bad", actual: "NaN",
    });
  });

  it("loading a file whose values are finite in JSON but not as a param (1e39; a positive param at exp(1000)) is refused", () => {
    run(function* () {
      yield* param("s", tf.scalar(1), { constraint: constraints.positive });
    });
    const saved = JSON.parse(JSON.stringify(getParamStore().toJSON())) as { params: Record<string, { unconstrained: number[] }> };
    saved.params.s!.unconstrained = [1e39];
    expectPPLError(() => getParamStore().load(saved), PPLConfigError, ["param 's' holds 1e+39 at element 0", "beyond float32's range", "nothing was loaded"], {
      site: "s",
    });
    saved.params.s!.unconstrained = [1000];
    expectPPLError(() => getParamStore().load(saved), PPLConfigError, ["param 's' has the constrained value Infinity at element 0", "under positive"], {
      site: "s",
    });
    // the store is as before the refused loads
    expect(getParamStore().unconstrained("s").dataSync()[0]).toBe(0);
  });

  it("loading a bad file names the param and the problem, not a schema dump", () => {
    run(function* () {
      yield* param("w", tf.tensor1d([1, 2]));
    });
    const saved = JSON.parse(JSON.stringify(getParamStore().toJSON())) as { params: Record<string, { unconstrained: unknown[]; shape: unknown }> };
    saved.params.w!.unconstrained[1] = null;
    let err = expectPPLError(() => getParamStore().load(saved), PPLConfigError, ["param 'w'", "field 'unconstrained.1'", "holds null"], { site: "w" });
    expect(err.message).not.toContain("invalid_type");
    saved.params.w!.unconstrained[1] = 2;
    saved.params.w!.shape = "2";
    err = expectPPLError(() => getParamStore().load(saved), PPLConfigError, ["param 'w'", "field 'shape'", "should be an array but is a string"], { site: "w" });
    expectPPLError(() => getParamStore().load([1, 2]), PPLConfigError, ["not a saved param store"]);
  });
});

// Issue 23 "Raw": what reached users as a tfjs or JavaScript error.
describe("raw errors from JavaScript callers", () => {
  it("a distribution argument of the wrong kind (Normal(0, \"1\"))", () => {
    expectPPLError(() => dist.Normal(0, "1" as never), PPLConfigError, ["Normal", "argument 'scale'", "a string (\"1\")", "write 1 without the quotes"], {
      expected: "a number, a nested array of numbers or a tf.Tensor", actual: "a string",
    });
  });

  it("a missing distribution argument (Normal(0))", () => {
    expectPPLError(() => (dist.Normal as unknown as (loc: number) => unknown)(0), PPLConfigError, ["Normal", "argument 'scale' is missing"], {
      actual: "undefined",
    });
  });

  it("a ragged array as obs", () => {
    function* model() {
      yield* sample("y", dist.Normal(0, 1), { obs: [[1, 2], [3]] as never });
    }
    expectPPLError(() => run(model), PPLShapeError, ["sample('y')", "'obs' is a ragged array", "obs[1] has 1 entries where obs[0] has 2"], {
      expected: "2 entries", actual: "obs[1]: 1 entries",
    });
  });

  it("a model called without its arguments", () => {
    function* model(K: number) {
      const w = yield* sample("w", dist.Normal(tf.zeros([K]), 1).toEvent(1));
      return w;
    }
    const err = expectPPLError(() => trace(model as unknown as Model<[]>).getTrace(), PPLModelError, [
      "while running 'model'", "before its first site", "'model' declares 1 argument(s) but was called with 0",
    ]);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("disposed tensors used as a distribution argument, an observation or a param's init", () => {
    const gone = tf.scalar(1);
    gone.dispose();
    expectPPLError(() => dist.Normal(gone, 1), PPLConfigError, ["Normal", "argument 'loc' is a disposed tensor", "tf.tidy"], {
      expected: "a live tensor", actual: "disposed",
    });
    expectPPLError(() => run(function* () {
      yield* sample("y", dist.Normal(0, 1), { obs: gone });
    }), PPLConfigError, ["sample('y')", "'obs' is a disposed tensor"]);
    expectPPLError(() => run(function* () {
      yield* param("w", () => gone);
    }), PPLConfigError, ["param('w')", "'init' is a disposed tensor"]);
  });

  it("an error thrown by the user's own code inside a model is wrapped with the site it came after (the original is the cause)", () => {
    function* model() {
      yield* sample("a", dist.Normal(0, 1));
      const bad = (undefined as unknown as { shape: number[] }).shape; // the user's bug
      yield* sample("b", dist.Normal(bad[0]!, 1));
    }
    const err = expectPPLError(() => trace(model).getTrace(), PPLModelError, ["TypeError thrown while running 'model'", "after site 'a'", "cause"], {
      site: "a",
    });
    expect(err.cause).toBeInstanceOf(TypeError);
    const viaSvi = new SVI(model, emptyGuide, new Adam({ lr: 0.1 }), new TraceELBO());
    expectPPLError(() => viaSvi.step(), PPLModelError, ["TypeError thrown while running 'model'", "after site 'a'"], { site: "a" });
  });

  it("generator protocol slips: yield 5, yield of a tensor, yield instead of yield*", () => {
    const slips: [string, Model<[]>, string][] = [
      ["yield 5", function* () {
        yield 5 as never;
      }, "yielded a number"],
      ["yield tensor", function* () {
        yield tf.zeros([2]) as never;
      }, "yielded a tensor (shape [2])"],
      ["yield sample", function* () {
        yield sample("x", dist.Normal(0, 1)) as never;
      }, "yielded the effect of sample('x'): write `yield* sample(...)`"],
    ];
    for (const [, model, part] of slips) {
      expectPPLError(() => run(model), PPLModelError, [part, "yield*"], { expected: "yield* of a ppl primitive" });
      expectPPLError(() => trace(block(model, { hide: ["x"] })).getTrace(), PPLModelError, [part]);
    }
  });
});

describe("silent mistakes in names and HMM arguments", () => {
  it("a misspelt site name in condition(...) values", () => {
    function* model() {
      yield* sample("sigma", dist.HalfNormal(1));
      yield* sample("mu", dist.Normal(0, 1));
    }
    expectPPLError(() => run(condition(model, { sigam: 0.5 })), PPLModelError, ["condition", "site 'sigam'", "did you mean 'sigma'?"], {
      site: "sigam", expected: "sigma", actual: "sigam",
    });
  });

  it("a misspelt site name in the guide (what replay would ignore) names the nearest model site", () => {
    function* model() {
      yield* sample("sigma", dist.HalfNormal(1));
    }
    function* guide() {
      yield* sample("sigam", dist.HalfNormal(1));
    }
    expectPPLError(() => elboLoss(model, guide), PPLModelError, ["the guide's) has a latent site 'sigam'", "the model has no sample site", "did you mean 'sigma'?"], {
      site: "sigam", expected: "sigma",
    });
  });

  it("a misspelt site name in a trace given to replay(...) names the nearest site (Pyro would draw the site afresh)", () => {
    function* model() {
      yield* sample("sigma", dist.HalfNormal(1));
    }
    function* handWritten() {
      yield* sample("sigam", dist.HalfNormal(1));
    }
    const tr = trace(handWritten).getTrace();
    expectPPLError(() => run(replay(model, { trace: tr })), PPLModelError, [
      "replay: the replayed trace", "latent site 'sigam'", "the model has no sample site of that name", "did you mean 'sigma'?",
    ], { site: "sigam", expected: "sigma", actual: "sigam" });
    // a full trace replayed into a model that hides part of it is fine: the block says so (as in Pyro)
    function* two() {
      yield* sample("sigma", dist.HalfNormal(1));
      yield* sample("mu", dist.Normal(0, 1));
    }
    const full = trace(two).getTrace();
    const replayed = trace(replay(block(two, { hide: ["mu"] }), { trace: full })).getTrace();
    expect(replayed.sampleSite("sigma").value.dataSync()[0]).toBe(full.sampleSite("sigma").value.dataSync()[0]);
  });

  it("a misspelt param name in substitute(...) values, or a sample site's name there", () => {
    function* model() {
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("x", dist.Normal(loc, 1));
    }
    expectPPLError(() => run(substitute(model, { lco: 1 })), PPLModelError, [
      "substitute: a value is given for site 'lco'", "no param site of that name", "did you mean 'loc'?",
    ], { site: "lco", expected: "loc" });
    expectPPLError(() => run(substitute(model, { x: 1 })), PPLModelError, ["'x' is a sample site of the model, not a param site", "condition(model"], {
      site: "x", expected: "a param site",
    });
    expectPPLError(() => run(condition(model, { loc: 1 })), PPLModelError, ["'loc' is a param site of the model, not a sample site", "substitute(model"], {
      site: "loc", expected: "a sample site",
    });
  });

  it("a condition(...) value for a site a block inside hides (it would not be used)", () => {
    function* model() {
      yield* sample("mu", dist.Normal(0, 1));
      yield* sample("y", dist.Normal(0, 1));
    }
    expectPPLError(() => run(condition(block(model, { hide: ["mu"] }), { mu: 0.5 })), PPLModelError, [
      "condition: a value is given for site 'mu'", "a block inside condition hides that site", "apply condition to the model inside the block",
    ], { site: "mu", actual: "a hidden site" });
    // conditioned inside the block, it is observed
    const tr = trace(block(condition(model, { mu: 0.5 }), { hide: ["y"] })).getTrace();
    expect(tr.sampleSite("mu").isObserved).toBe(true);
  });

  it("probabilities given to DiscreteHMM where logits go", () => {
    const init = tf.tensor1d([0.9, 0.1]);
    const trans = tf.tensor2d([[0.8, 0.2], [0.3, 0.7]]);
    expectPPLError(() => dist.DiscreteHMM(init, trans.log(), dist.Normal(tf.tensor1d([0, 1]), 1)), PPLConfigError, [
      "'initialLogits' looks like probabilities", "takes logits", "tf.log(probs)",
    ], { expected: "logits" });
    expectPPLError(() => dist.DiscreteHMM(init.log(), trans, dist.Normal(tf.tensor1d([0, 1]), 1)), PPLConfigError, ["'transitionLogits' looks like probabilities"]);
    // uniform rows read the same either way, and log-probabilities pass
    expect(() => tf.tidy(() => void dist.DiscreteHMM(tf.tensor1d([0.5, 0.5]), trans.log(), dist.Normal(tf.tensor1d([0, 1]), 1)))).not.toThrow();
    tf.dispose([init, trans]);
  });

  it("a 0-length sequence observed under DiscreteHMM (it would train on the priors alone)", () => {
    // the emission parameters carry the time dim: T = 0 steps of K = 2 states
    const y = tf.zeros([0]);
    function* model() {
      const hmm = dist.DiscreteHMM(tf.zeros([2]), tf.zeros([2, 2]), dist.Normal(tf.zeros([y.shape[0]!, 2]), 1));
      yield* sample("y", hmm, { obs: y });
    }
    expectPPLError(() => trace(model).getTrace().logProbSum(), PPLShapeError, ["DiscreteHMM", "the sequence is empty", "time dim of size 0"]);
    // a value with 0 steps given to a chain of fixed duration is refused the same way
    const chain = dist.DiscreteHMM(tf.zeros([2]), tf.zeros([2, 2]), dist.Normal(tf.tensor1d([0, 1]), 1));
    expectPPLError(() => chain.logProb(tf.zeros([0])), PPLShapeError, ["the observed sequence is empty", "0 time steps"], {
      expected: "at least 1 time step",
    });
    y.dispose();
  });
});

describe("further mistakes: names, sizes, the user's own allocations, SVI options", () => {
  function* twoSites() {
    yield* sample("mu", dist.Normal(0, 1));
    yield* sample("y", dist.Normal(0, 1), { obs: tf.scalar(1) });
  }

  it("a misspelt name in block's expose or hide list (it would hide or expose nothing)", () => {
    expectPPLError(() => trace(block(twoSites, { hide: ["muu"] })).getTrace(), PPLModelError, [
      "block: expose or hide names site 'muu'", "the model has no site of that name", "did you mean 'mu'?",
    ], { site: "muu", expected: "mu" });
    expectPPLError(() => trace(block(twoSites, { expose: ["y", "m"] })).getTrace(), PPLModelError, ["site 'm'", "did you mean 'mu'?"]);
    // a name an inner block hides is a site of the model: an outer list may name it
    const tr = trace(block(block(twoSites, { hide: ["mu"] }), { hide: ["mu", "y"] })).getTrace();
    expect(tr.nodes.size).toBe(0);
  });

  it("a misspelt site name in Predictive's posteriorSamples (the draws would go unused)", () => {
    const samples = { mus: tf.zeros([4]) };
    expectPPLError(() => new Predictive(twoSites, { posteriorSamples: samples }).forward(), PPLModelError, [
      "Predictive: posteriorSamples has samples of site 'mus'", "did you mean 'mu'?",
    ], { site: "mus", expected: "mu" });
    tf.dispose(Object.values(samples));
  });

  it("vectorised particles or parallel predictive draws beyond the size limit are refused before allocating", () => {
    function* guide() {
      yield* sample("mu", dist.Normal(0, 1));
    }
    const t0 = performance.now();
    expectPPLError(() => new TraceELBO({ numParticles: 1e9, vectorizeParticles: true }).loss(twoSites, guide), PPLResourceError, [
      "TraceELBO({ numParticles: 1000000000, vectorizeParticles: true })", "1,000,000,000 copies of the model", "vectorizeParticles: false",
    ], { actual: "1000000000 elements" });
    expectPPLError(() => new Predictive(twoSites, { numSamples: 1e8, parallel: true }).forward(), PPLResourceError, [
      "Predictive({ numSamples: 100000000, parallel: true })", "parallel: false",
    ]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("the user's own tfjs code running out of heap is wrapped with a hint on sizes", () => {
    // what tfjs's wasm backend throws when an allocation does not fit its heap (WebAssembly.RuntimeError)
    class RuntimeError extends Error {
      override name = "RuntimeError";
    }
    function* model() {
      yield* sample("mu", dist.Normal(0, 1));
      throw new RuntimeError("memory access out of bounds");
    }
    expectPPLError(() => run(model), PPLModelError, ["RuntimeError thrown while running 'model', after site 'mu'", "too large for the heap", "maxTensorElements()"], {
      site: "mu",
    });
  });

  it("a handler given the model's generator or values of the wrong kind: trace(model()), condition(model, null), replay(model, {})", () => {
    expectPPLError(() => trace(twoSites() as never).getTrace(), PPLConfigError, ["trace: the model must be a generator function", "a generator (the model already called)", "not trace(model())"], {
      expected: "a generator function", actual: "a generator",
    });
    expectPPLError(() => block(5 as never), PPLConfigError, ["block: the model must be a generator function, got a number"]);
    expectPPLError(() => condition(twoSites, null as never), PPLConfigError, ["condition(model, data): the values must be an object mapping site names to values", "got null"]);
    expectPPLError(() => substitute(twoSites, new Map() as never), PPLConfigError, ["substitute(model, data)", "got an object (Map)"]);
    expectPPLError(() => replay(twoSites, {} as never), PPLConfigError, ["replay(model, { trace }): trace must be a Trace"], { actual: "undefined" });
  });

  it("a plate without its name, plate(100, body) (the size read as the name, the body as the size)", () => {
    function* model() {
      yield* (plate as (...a: unknown[]) => ReturnType<typeof plate>)(100, function* () {
        yield* sample("x", dist.Normal(0, 1));
      });
    }
    expectPPLError(() => run(model), PPLConfigError, ["plate(name, size, body): the first argument must be the plate's name", "got 100", 'plate("data", 100,'], {
      expected: "a non-empty string", actual: "100",
    });
  });

  it("SVI options that cannot work: lr NaN or Infinity, numParticles 0, a guide with nothing to learn", () => {
    expectPPLError(() => new Adam({ lr: NaN }), PPLConfigError, ["Adam: invalid options: lr", "NaN"]);
    expectPPLError(() => new SGD({ lr: Infinity }), PPLConfigError, ["SGD: invalid options: lr", "Infinity"]);
    expectPPLError(() => new TraceELBO({ numParticles: 0 }), PPLConfigError, ["TraceELBO: invalid options: numParticles"]);
    expectPPLError(() => new SVI(twoSites, twoSites, new Adam({ lr: 0.1 }), new TraceELBO()).step(), PPLModelError, ["nothing to learn"]);
  });
});

describe("docs/errors.md", () => {
  it("every row of its catalogue of mistakes is a test in a catalogue file", () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
    const doc = readFileSync(join(root, "docs", "errors.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Catalogue of mistakes"));
    const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| mistake") && !l.startsWith("|---"));
    const wanted = rows.map((l) => l.split(" | ")[0]!.slice(2));
    expect(wanted.length).toBeGreaterThan(20);
    const titles = new Set<string>();
    for (const file of ["packages/ppl-core/test/errors/catalogue.test.ts", "packages/ppl-autoguide/test/error-catalogue.test.ts"]) {
      const source = readFileSync(join(root, file), "utf8");
      for (const m of source.matchAll(/\bit\(("(?:[^"\\]|\\.)*")/g)) titles.add(JSON.parse(m[1]!) as string);
    }
    expect(wanted.filter((t) => !titles.has(t))).toEqual([]);
  });
});
