// The first step of a guide that creates its params, while the ParamStore also
// holds a param this loss never touches: the step must redo itself with the new
// params rather than report "nothing to learn" (tfjs finds no connection from the
// old params before the new ones exist). The update is checked against SGD's
// closed form: loss = ½(3 − μ)² + ½ log 2π with μ a param of the guide's Delta.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import { SGD, SVI, TraceELBO, clearParamStore, dist, getParamStore, param, sample } from "ppl-core";

describe("SVI's first step with an unrelated param in the store", () => {
  beforeEach(() => clearParamStore());

  it("learns the guide's new param", () => {
    getParamStore().get("unrelated", () => tf.scalar(5));
    function* model() {
      const z = yield* sample("z", dist.Normal(0, 10));
      yield* sample("y", dist.Normal(z, 1), { obs: tf.scalar(3) });
    }
    function* guide() {
      const mu = yield* param("mu", () => tf.scalar(0));
      yield* sample("z", dist.Delta(mu));
    }
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    svi.step();
    // d(−ELBO)/dμ = −(3 − μ) + μ/100 at μ = 0: −3, so μ = 0.3
    expect(getParamStore().get("mu").dataSync()[0]).toBeCloseTo(0.3, 6);
    expect(getParamStore().get("unrelated").dataSync()[0]).toBe(5);
  });
});
