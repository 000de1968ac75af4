// Catalogue of autoguide mistakes (docs/errors.md): two guides that would
// share params, and the name option that keeps them apart; names and options
// of the init strategies.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Adam, PPLConfigError, PPLModelError, PPLResourceError, SVI, TraceELBO, block, clearParamStore, dist, getParamStore, plate, sample, setRngSeed,
} from "ppl-core";
import { AutoDelta, AutoGuideList, AutoNormal, initToMedian, initToValue } from "ppl-autoguide";

/** `f` throws a `cls` whose message holds every part and whose fields match (the attempt runs in a tidy). */
function expectPPLError(f: () => unknown, cls: new (...args: never[]) => Error, parts: readonly string[], fields: Record<string, string> = {}): void {
  let err: unknown;
  try {
    tf.tidy(() => void f());
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  for (const p of parts) expect((err as Error).message).toContain(p);
  for (const [k, v] of Object.entries(fields)) expect((err as Record<string, unknown>)[k]).toBe(v);
}

const near = (centre: number) => tf.tensor1d([-0.4, -0.1, 0, 0.2, 0.3].map((d) => centre + d));
// mu ~ Normal(0, 10), y_i ~ Normal(mu, 1): the posterior mean (and MAP) is Σy / (n + 1/100)
const posteriorMean = (centre: number) => (5 * centre) / (5 + 0.01);

function makeModel(name: string) {
  const model = function* (y: tf.Tensor) {
    const mu = yield* sample("mu", dist.Normal(0, 10));
    yield* plate("data", 5, function* () {
      yield* sample("y", dist.Normal(mu, 1), { obs: y });
    });
  };
  Object.defineProperty(model, "name", { value: name });
  return model;
}

beforeEach(() => {
  clearParamStore();
  setRngSeed(3);
});
afterEach(() => clearParamStore());

describe("guides that would share params", () => {
  it("two models with a site of the same name, each with its own AutoNormal, are refused naming both guides", () => {
    const modelA = makeModel("modelA");
    const modelB = makeModel("modelB");
    const yA = near(11);
    const yB = near(-11);
    const sviA = new SVI(modelA, new AutoNormal(modelA), new Adam({ lr: 0.05 }), new TraceELBO());
    tf.tidy(() => void sviA.step(yA));
    const sviB = new SVI(modelB, new AutoNormal(modelB), new Adam({ lr: 0.05 }), new TraceELBO());
    let err: unknown;
    try {
      tf.tidy(() => void sviB.step(yB));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PPLModelError);
    const e = err as PPLModelError;
    expect(e.site).toBe("AutoNormal.locs.mu");
    expect(e.message).toMatch(/belongs to AutoNormal #\d+ \(a guide of model 'modelA'\) and is now used by AutoNormal #\d+ \(a guide of model 'modelB'\)/);
    expect(e.message).toContain('new AutoNormal(model, { name: "model2" })');
    tf.dispose([yA, yB]);
  });

  it("named autoguides keep two models apart: each finds its own posterior", () => {
    const modelA = makeModel("modelA");
    const modelB = makeModel("modelB");
    const yA = near(11);
    const yB = near(-11);
    const guideA = new AutoDelta(modelA, { name: "a" });
    const guideB = new AutoDelta(modelB, { name: "b" });
    const sviA = new SVI(modelA, guideA, new Adam({ lr: 0.3 }), new TraceELBO());
    const sviB = new SVI(modelB, guideB, new Adam({ lr: 0.3 }), new TraceELBO());
    // interleaved, as two models trained in one process would be
    for (let i = 0; i < 150; i++) {
      tf.tidy(() => void sviA.step(yA));
      tf.tidy(() => void sviB.step(yB));
    }
    expect(getParamStore().names().sort()).toEqual(["a.locs.mu", "b.locs.mu"]);
    const medians = [guideA.median(yA), guideB.median(yB)];
    expect(medians[0]!.mu!.dataSync()[0]).toBeCloseTo(posteriorMean(11), 0);
    expect(medians[1]!.mu!.dataSync()[0]).toBeCloseTo(posteriorMean(-11), 0);
    tf.dispose([yA, yB, ...medians.flatMap((m) => Object.values(m))]);
  });
});

describe("init strategies", () => {
  function* twoSites() {
    yield* sample("locs", dist.Normal(0, 10));
    yield* sample("scale", dist.LogNormal(0, 1));
  }

  it("a misspelt site name in initToValue values names the nearest model site", () => {
    const guide = new AutoDelta(twoSites, { initLocFn: initToValue({ values: { lcos: 3 } }) });
    expectPPLError(() => guide.median(), PPLModelError, [
      "AutoDelta: initToValue: a value is given for site 'lcos'", "the model has no sample site of that name", "did you mean 'locs'?",
    ], { site: "lcos", expected: "locs", actual: "lcos" });
    // a misspelling in the fallback's values is found too
    const nested = new AutoDelta(twoSites, { initLocFn: initToValue({ values: { locs: 3 }, fallback: initToValue({ values: { scael: 2 } }) }) });
    expectPPLError(() => nested.median(), PPLModelError, ["site 'scael'", "did you mean 'scale'?"], { site: "scael" });
  });

  it("initToValue values shared by the guides of one model (AutoGuideList parts) start each part at its values", () => {
    // each part sees one site; the other is hidden from it by block, yet is a site of the model
    const values = initToValue({ values: { locs: 3, scale: 2 } });
    const guide = new AutoGuideList(twoSites)
      .append(new AutoDelta(block(twoSites, { expose: ["locs"] }), { initLocFn: values }))
      .append(new AutoDelta(block(twoSites, { expose: ["scale"] }), { initLocFn: values, name: "scalePart" }));
    const median = guide.median();
    // before any step an AutoDelta's median is its init: the values given
    expect(median.locs!.dataSync()[0]).toBeCloseTo(3, 5);
    expect(median.scale!.dataSync()[0]).toBeCloseTo(2, 5);
    tf.dispose(Object.values(median));
  });

  it("a misspelt option of initToMedian or initToValue (numSample) is refused", () => {
    expectPPLError(() => initToMedian({ numSample: 50 } as never), PPLConfigError, ["initToMedian", "numSample", "numSamples"]);
    expectPPLError(() => initToValue({ value: { locs: 1 } } as never), PPLConfigError, ["initToValue", "values"]);
  });

  it("initToMedian's fallback is used where the median leaves a structured support (it was ignored)", () => {
    // the elementwise median of LKJ Cholesky factors is not one; the fallback decides (before, the feasible
    // point, the identity, was taken whatever the fallback): here a factor with correlation 0.6 between 1 and 2
    function* corr() {
      yield* sample("L", dist.LKJCholesky(3, 0.5));
    }
    const given = [1, 0, 0, 0.6, 0.8, 0, 0, 0, 1];
    const L = tf.tensor2d(given, [3, 3]);
    const guide = new AutoDelta(corr, { initLocFn: initToMedian({ numSamples: 31, fallback: initToValue({ values: { L } }) }) });
    const median = guide.median();
    const got = Array.from(median.L!.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(given[i]!, 5));
    tf.dispose([L, ...Object.values(median)]);
  });
});

describe("sizes", () => {
  function* site() {
    yield* plate("data", 10, function* () {
      yield* sample("z", dist.Normal(0, 1));
    });
  }

  it("an autoguide's sample(n) whose draws would not fit (n = 1e8) is refused before drawing", () => {
    // 1e8 draws of a site of 10 values: 1e9 elements, over the 2^26 limit (a raw wasm error before)
    const t0 = performance.now();
    expectPPLError(() => new AutoNormal(site).sample(1e8), PPLResourceError, ["AutoNormal.sample(100000000)", "draws of site 'z' (shape [10])", "smaller n"], {
      site: "z",
    });
    expectPPLError(() => new AutoDelta(site).sample(1e8), PPLResourceError, ["AutoDelta.sample(100000000)"], { site: "z" });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("initToMedian with numSamples too large to draw is refused before drawing", () => {
    const guide = new AutoDelta(site, { initLocFn: initToMedian({ numSamples: 1e8 }) });
    expectPPLError(() => guide.median(), PPLResourceError, ["initToMedian({ numSamples: 100000000 })", "prior draws of site 'z'", "fewer numSamples"], {
      site: "z",
    });
  });
});
