// Catalogue of enumeration mistakes, one `it` per mistake: each asserts the
// error class, that the message names the site / plate / dim and the fix, and
// the structured fields. The structural ones are also checked with validation off.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import {
  Adam, PPLConfigError, PPLError, PPLModelError, PPLResourceError, PPLShapeError, SVI, block, clearParamStore, dist, markov, plate, range,
  sample, setValidation, trace, vindex,
} from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO, configEnumerate, enumerate, inferDiscrete } from "ppl-enum";
import { AutoDelta, AutoNormal } from "ppl-autoguide";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const enumLoss = (model: Model<[]>, maxPlateNesting?: number, guide: Model<[]> = emptyGuide) =>
  new TraceEnumELBO(maxPlateNesting === undefined ? {} : { maxPlateNesting }).loss(model, guide);

interface Fields {
  site?: string;
  plate?: string;
  expected?: string;
  actual?: string;
}

/** The error f throws (inside a tidy), checked for class, message parts and fields. */
function expectError<E extends PPLError>(f: () => unknown, cls: new (...a: never[]) => E, parts: string[], fields: Fields = {}): E {
  let err: unknown;
  try {
    tf.tidy(() => {
      f();
    });
  } catch (e) {
    err = e;
  }
  if (err === undefined) expect.fail("expected an error, but the call returned normally");
  if (!(err instanceof cls)) expect.fail(`expected ${cls.name}, got ${(err as Error).name}: ${(err as Error).message}`);
  for (const p of parts) expect(err.message).toContain(p);
  for (const key of ["site", "plate", "expected", "actual"] as const) {
    if (fields[key] !== undefined) expect(err[key], `field '${key}'`).toContain(fields[key]);
  }
  return err;
}

afterEach(() => {
  setValidation(true);
  clearParamStore();
});

// z_t depends on z_{t-2} inside a markov loop with history 1
function* leakyChain() {
  const P3 = tf.fill([2, 2, 2], 0.5);
  const zs: tf.Tensor[] = [];
  yield* markov(range(4), function* (t) {
    const probs = t < 2 ? tf.tensor1d([0.5, 0.5]) : vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":");
    zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), en));
  });
}

// an enumerated site in a plate at dim -2 while maxPlateNesting says 1
function* deepPlate() {
  yield* plate("groups", 2, { dim: -2 }, function* () {
    yield* sample("z", dist.Categorical([0.5, 0.5]), en);
  });
}

// seven enumerated variables alive at once: dims -1..-7
// Binomial(1e8) enumerated: 1e8 + 1 values (tfjs used to spend a minute and 4 GB, then throw a shape error)
function* hugeSupport() {
  yield* sample("n", dist.Binomial(1e8, 0.5), en);
}

// a batched distribution (size 3 at dim -1, no plate) whose batch dim is where enumeration starts
function* batchedAtEnumDim() {
  yield* sample("z", dist.Categorical(tf.fill([3, 2], 0.5)), en);
}

describe("plates and enumeration dims", () => {
  it("a plate dim that collides with enumeration (maxPlateNesting too small)", () => {
    expectError(() => enumLoss(deepPlate, 1), PPLConfigError, [
      "at site 'z'", "plate 'groups' uses dim -2", "maxPlateNesting is 1", "maxPlateNesting to at least 2",
    ], { site: "z", plate: "groups", expected: "maxPlateNesting >= 2", actual: "1" });
    // left out, it is inferred and the model runs
    expect(() => tf.tidy(() => void enumLoss(deepPlate))).not.toThrow();
  });

  it("a batched distribution whose batch dim is the dim enumeration gives the site", () => {
    expectError(() => enumLoss(batchedAtEnumDim, 0), PPLShapeError, [
      "site 'z' (enumerated at dim -1", "already has size 3 at that dim", "plate",
    ], { site: "z", expected: "size 1 at dim -1", actual: "[3]" });
  });

  it("a log-prob dim that is neither a plate nor an enumerated variable prints the shape table", () => {
    function* model() {
      const z = yield* sample("z", dist.Categorical([0.5, 0.5]), en);
      yield* sample("x", dist.Normal(tf.zeros([3]).add(z.cast("float32")), 1), { obs: tf.zeros([3]) });
    }
    expectError(() => enumLoss(model, 1), PPLShapeError, [
      "at site 'x'", "dim -1 has size 3", "z@-2 (size 2)", "Try one of the following fixes", "Trace shapes:",
    ], { site: "x" });
  });

  it("enumerating a support of 1e8 values is refused before the support is laid out", () => {
    expectError(() => enumLoss(hugeSupport, 0), PPLResourceError, [
      "site 'n'", "Binomial", "100,000,001 values", "100,000,001 elements", "67,108,864", "drop infer.enumerate",
    ], { site: "n", expected: "at most 67108864 elements", actual: "100000001 elements" });
  });
});

describe("what gets enumerated", () => {
  it("enumerating a continuous site", () => {
    function* model() {
      yield* sample("x", dist.Normal(0, 1), en);
    }
    expectError(() => enumLoss(model, 0), PPLModelError, ["site 'x' is marked infer.enumerate", "Normal", "no finite support"], {
      site: "x", actual: "Normal",
    });
  });

  it("a discrete latent site that is neither in the guide nor marked for enumeration, under TraceEnumELBO", () => {
    function* model() {
      const z = yield* sample("z", dist.Categorical([0.3, 0.7]));
      yield* sample("y", dist.Normal(z.cast("float32"), 1), { obs: 0.5 });
    }
    expectError(() => enumLoss(model, 0), PPLModelError, [
      "model site 'z' is latent but the guide does not sample it", "enumerate: \"parallel\"", "TraceEnumELBO",
    ], { site: "z" });
    // configEnumerate is the fix
    expect(Number.isFinite(tf.tidy(() => enumLoss(configEnumerate(model), 0)))).toBe(true);
  });

  it("sequential enumeration outside TraceEnumELBO (inferDiscrete lays supports out in parallel only)", () => {
    function* model() {
      yield* sample("z", dist.Categorical([0.5, 0.5]), { infer: { enumerate: "sequential" } });
    }
    expectError(() => trace(inferDiscrete(model, { temperature: 0 })).getTrace(), PPLConfigError, ["site 'z'", "\"sequential\" is enumerated by TraceEnumELBO", "parallel"], {
      site: "z", expected: "parallel", actual: "sequential",
    });
  });

  it("an autoguide over a model with a discrete site (block(...) forgotten)", () => {
    function* model() {
      yield* sample("loc", dist.Normal(0, 1));
      yield* sample("z", dist.Categorical([0.5, 0.5]), en);
    }
    const guide = new AutoDelta(model);
    const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceEnumELBO({ maxPlateNesting: 0 }));
    expectError(() => svi.step(), PPLModelError, [
      "continuous inference cannot handle discrete sample site 'z'", "block(model, { hide: [\"z\"] })",
    ], { site: "z" });
  });
});

describe("markov", () => {
  it("a variable used after it left the markov window names both sites, the dim and the history", () => {
    expectError(() => trace(enumerate(leakyChain, { firstAvailableDim: -1 })).getTrace(), PPLModelError, [
      "site 'z_2' (enumerated at dim -1, markov step 2", "depends on 'z_0'", "left the markov window (history 1)",
      "history: 2",
    ], { site: "z_2", expected: "size 1 at dim -1" });
  });

  it("the same leak under TraceEnumELBO", () => {
    expectError(() => enumLoss(leakyChain, 0), PPLModelError, ["depends on 'z_0'"], { site: "z_2" });
  });

  it("history 2 is the fix", () => {
    function* fixed() {
      const P3 = tf.fill([2, 2, 2], 0.5);
      const zs: tf.Tensor[] = [];
      yield* markov(range(4), function* (t) {
        const probs = t < 2 ? tf.tensor1d([0.5, 0.5]) : vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":");
        zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), en));
      }, { history: 2 });
    }
    expect(tf.tidy(() => enumLoss(fixed, 0))).toBeCloseTo(0, 5);
  });
});

describe("options", () => {
  const cases: [string, () => unknown, string, string][] = [
    ["TraceEnumELBO", () => new TraceEnumELBO({ max_plate_nesting: 1 } as never), "max_plate_nesting", "numParticles, vectorizeParticles, maxPlateNesting, fuseChains"],
    ["inferDiscrete", () => inferDiscrete(emptyGuide, { temp: 0 } as never), "temp", "firstAvailableDim, temperature, seed"],
    ["enumerate", () => enumerate(emptyGuide, { firstAvailableDim: -1, dim: -2 } as never), "dim", "firstAvailableDim"],
    ["AutoDelta", () => new AutoDelta(emptyGuide, { init_loc_fn: () => tf.scalar(0) } as never), "init_loc_fn", "initLocFn"],
    ["AutoNormal", () => new AutoNormal(emptyGuide, { scale: 0.1 } as never), "scale", "initLocFn, initScale"],
  ];
  for (const [who, make, bad, valid] of cases) {
    it(`${who}: an unknown key is an error listing the valid ones`, () => {
      expectError(make, PPLConfigError, [who, bad, `valid options are ${valid}`], { expected: valid, actual: bad });
    });
  }

  it("bad values: a negative maxPlateNesting, a temperature that is not 0 or 1, a positive firstAvailableDim", () => {
    expectError(() => new TraceEnumELBO({ maxPlateNesting: -1 }), PPLConfigError, ["maxPlateNesting"], { actual: "maxPlateNesting=-1" });
    expectError(() => inferDiscrete(emptyGuide, { temperature: 0.5 as never }), PPLConfigError, ["temperature"], { actual: "temperature=0.5" });
    expectError(() => enumerate(emptyGuide, { firstAvailableDim: 1 }), PPLConfigError, ["firstAvailableDim"], { actual: "firstAvailableDim=1" });
    expectError(() => configEnumerate(emptyGuide, "sampled" as never), PPLConfigError, ["configEnumerate", "strategy"]);
  });
});

describe("with setValidation(false) the structural enumeration checks still throw", () => {
  const structural: [string, () => unknown, new (...a: never[]) => PPLError][] = [
    ["a markov leak", () => enumLoss(leakyChain, 0), PPLModelError],
    ["a plate colliding with enumeration", () => enumLoss(deepPlate, 1), PPLConfigError],
    ["a batched distribution at its enumeration dim", () => enumLoss(batchedAtEnumDim, 0), PPLShapeError],
    ["an enumerated support of 1e8 values", () => enumLoss(hugeSupport, 0), PPLResourceError],
    ["two plates at one dim under enumeration", () => enumLoss(function* () {
      yield* plate("a", 2, { dim: -1 }, function* () {
        yield* plate("b", 2, { dim: -1 }, function* () {
          yield* sample("z", dist.Categorical([0.5, 0.5]), en);
        });
      });
    }, 2), PPLShapeError],
    ["a duplicate site name under enumeration", () => enumLoss(function* () {
      yield* sample("z", dist.Categorical([0.5, 0.5]), en);
      yield* sample("z", dist.Categorical([0.5, 0.5]), en);
    }, 0), PPLModelError],
  ];
  for (const [what, f, cls] of structural) {
    it(what, () => {
      setValidation(false);
      expectError(f, cls, []);
    });
  }
  it("while a value check is skipped: a negative probs weight enumerates without error", () => {
    setValidation(false);
    function* model() {
      yield* sample("z", dist.Categorical([0.5, -0.6]), en);
    }
    expect(() => tf.tidy(() => void enumLoss(model, 0))).not.toThrow();
    setValidation(true);
    expect(() => tf.tidy(() => void enumLoss(model, 0))).toThrow(/nonnegative finite weights/);
  });
});

describe("guides under TraceEnumELBO", () => {
  it("a guide site the model lacks", () => {
    function* model() {
      yield* sample("z", dist.Categorical([0.5, 0.5]), en);
    }
    function* guide() {
      yield* sample("w", dist.Normal(0, 1));
    }
    expectError(() => enumLoss(model, 0, guide), PPLModelError, ["the guide's) has a latent site 'w'", "the model has no sample site of that name", "did you mean 'z'?"], { site: "w" });
  });

  it("an autoguide with block(expose) naming no latent site", () => {
    function* model() {
      yield* sample("z", dist.Categorical([0.5, 0.5]), en);
    }
    const guide = new AutoDelta(block(model, { expose: [] }));
    const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceEnumELBO({ maxPlateNesting: 0 }));
    expectError(() => svi.step(), PPLModelError, ["SVI.step", "nothing to learn"]);
  });
});
