// Catalogue of mistakes users make, one `it` per mistake, grouped by area. Each
// asserts the error class, that the message names what is wrong and what was
// expected, and the structured fields (site, plate, expected, actual).
// The enumeration mistakes live in packages/ppl-enum/test/reliability.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLConfigError, PPLError, PPLModelError, PPLNumericalError, PPLResourceError, PPLShapeError, PPLSupportError, SVI,
  TraceELBO, block, clearParamStore, condition, constraints, dist, markov, param, plate, range, run, sample, scale, seed,
  setRngSeed, setValidation, trace, vindex,
} from "ppl-core";
import type { Model } from "ppl-core";
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
    expectPPLError(() => elboLoss(model, guide), PPLModelError, ["guide site 'typo_b' has no matching sample site in the model", "model latents: a"], {
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
