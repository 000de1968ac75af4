// Pyro's tests/infer/test_valid_models.py test_enumerate_parallel_plate_ok with
// expand=True: infer.expand spells the support out over the batch shape, in
// parallel and sequential enumeration. The guide is the model, so the loss must
// be exactly 0; the enumerated values' shapes are the ones Pyro checks.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, plate, sample } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";

type E = "parallel" | "sequential" | undefined;
const inf = (e: E) => (e === undefined ? {} : { infer: { enumerate: e } });

/** The guide is the model, so the loss must be exactly 0 for every draw or enumerated value. */
function expectZeroLoss(model: Model<[]>, guide: Model<[]>, maxPlateNesting?: number): void {
  const elbo = new TraceEnumELBO(maxPlateNesting === undefined ? {} : { maxPlateNesting });
  const loss = tf.tidy(() => elbo.loss(model, guide));
  expect(Math.abs(loss), `loss ${loss}`).toBeLessThan(1e-5);
}

describe("test_enumerate_parallel_plate_ok", () => {
  const cases: [E, boolean][] = [["sequential", true], ["parallel", true]];
  for (const [e, expand] of cases) {
    it(`enumerate_=${e ?? "None"} expand=${expand}`, () => {
      let shapes: number[][] = [];
      const model = (guide: boolean) => function* () {
        const o = guide ? { infer: { enumerate: e, expand } } : {};
        const x2 = yield* sample("x2", dist.Categorical(tf.ones([2]).div(2)), e === undefined ? {} : o);
        const [x34, x536] = yield* plate("outer", 3, function* () {
          const a = yield* sample("x34", dist.Categorical(tf.ones([3, 4]).div(4)), e === undefined ? {} : o);
          const b = yield* plate("inner", 5, function* () {
            return yield* sample("x536", dist.Categorical(tf.ones([5, 3, 6]).div(6)), e === undefined ? {} : o);
          });
          return [a, b] as const;
        });
        if (guide) shapes = [x2.shape, x34.shape, x536.shape];
      };
      expectZeroLoss(model(false), model(true), 2);
      const want = e === "parallel"
        ? (expand ? [[2, 1, 1], [4, 1, 1, 3], [6, 1, 1, 5, 3]] : [[2, 1, 1], [4, 1, 1, 1], [6, 1, 1, 1, 1]])
        : e === "sequential" && !expand ? [[], [1], [1, 1]] : [[], [3], [5, 3]];
      expect(shapes).toEqual(want);
    });
  }
});

