// A continuous autoguide over a model whose enumerated discrete site was not hidden:
// the error names the site and the fix, whatever the init strategy (initToMedian,
// AutoDelta's default, used to hand the model a float index and fail inside vindex).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, PPLModelError, SVI, dist, plate, sample, vindex } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { AutoDelta, AutoNormal, initToMean, initToMedian } from "ppl-autoguide";

function* model() {
  const locs = yield* sample("locs", dist.Normal(0, 1).expand([2]).toEvent(1));
  yield* plate("d", 3, function* () {
    const z = yield* sample("z", dist.Categorical({ probs: tf.tensor([0.5, 0.5]) }), { infer: { enumerate: "parallel" } });
    yield* sample("y", dist.Normal(vindex(locs, "...", z), 1), { obs: tf.tensor([1, 2, 3]) });
  });
}

describe("a discrete site left in a continuous autoguide", () => {
  for (const [name, make] of [
    ["AutoDelta (initToMedian)", () => new AutoDelta(model, { initLocFn: initToMedian })],
    ["AutoDelta (initToMean)", () => new AutoDelta(model, { initLocFn: initToMean })],
    ["AutoNormal", () => new AutoNormal(model)],
  ] as const) {
    it(`${name}: names the site and says to hide it`, () => {
      const svi = new SVI(model, make(), new Adam({ lr: 0.1 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
      expect(() => svi.step()).toThrow(PPLModelError);
      expect(() => svi.step()).toThrow(/cannot handle discrete sample site 'z'.*hide it from the guide/);
    });
  }
});
