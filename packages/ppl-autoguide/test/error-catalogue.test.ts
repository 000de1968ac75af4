// Catalogue of autoguide mistakes (docs/errors.md): two guides that would
// share params, and the name option that keeps them apart.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Adam, PPLModelError, SVI, TraceELBO, clearParamStore, dist, getParamStore, plate, sample, setRngSeed } from "ppl-core";
import { AutoDelta, AutoNormal } from "ppl-autoguide";

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
