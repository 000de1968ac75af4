// Every SVI step with the new guides disposes what it makes: tensors alive after
// 15 steps equal those after 1 (tfjs never collects a tensor by itself).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, SVI, TraceELBO, block, clearParamStore, dist, plate, sample, type Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import {
  AutoDelta, AutoDiagonalNormal, AutoDiscreteParallel, AutoGuideList, AutoLowRankMultivariateNormal, AutoMultivariateNormal,
  type AutoGuide,
} from "ppl-autoguide";

function* model() {
  const g = yield* sample("g", dist.Normal(0, 1));
  yield* plate("items", 3, function* () {
    const s = yield* sample("s", dist.LogNormal(0, 1));
    yield* sample("y", dist.Normal(g, s), { obs: tf.tensor1d([0.1, 0.5, -0.2]) });
  });
}

function* mixture() {
  const loc = yield* sample("loc", dist.Normal(0, 2));
  yield* plate("data", 3, function* () {
    const z = yield* sample("z", dist.Bernoulli(0.4));
    yield* sample("y", dist.Normal(loc.mul(z), 1), { obs: tf.tensor1d([0.2, 1.9, 2.2]) });
  });
}

const cases: [string, () => AutoGuide<[]>, Model<[]>, () => TraceELBO | TraceEnumELBO][] = [
  ["AutoDiagonalNormal", () => new AutoDiagonalNormal(model), model, () => new TraceELBO()],
  ["AutoMultivariateNormal", () => new AutoMultivariateNormal(model), model, () => new TraceELBO()],
  ["AutoLowRankMultivariateNormal", () => new AutoLowRankMultivariateNormal(model), model, () => new TraceELBO()],
  ["AutoGuideList(AutoDiscreteParallel, AutoDelta)", () => new AutoGuideList(mixture)
    .append(new AutoDiscreteParallel(block(mixture, { expose: ["z"] })))
    .append(new AutoDelta(block(mixture, { hide: ["z"] }))), mixture, () => new TraceEnumELBO({ maxPlateNesting: 1 })],
];

describe("guide memory", () => {
  for (const [name, make, m, elbo] of cases) {
    it(`${name}: tensors alive after 15 SVI steps equal those after 1`, () => {
      clearParamStore();
      const svi = new SVI(m, make(), new Adam({ lr: 0.01 }), elbo());
      svi.step();
      const after1 = tf.memory().numTensors;
      for (let i = 0; i < 15; i++) svi.step();
      expect(tf.memory().numTensors).toBe(after1);
    });
  }
});
