// Pyro's tests/infer/test_valid_models.py enumeration cases (test_enum_discrete_*
// and friends). Pyro only asserts that an SVI step runs; here each asserts a
// number: with a Bernoulli(q) guide for a Bernoulli(p) model the loss is the
// scaled KL (a closed form) and its gradient that KL's finite difference, and
// when the guide is the model itself log p - log q = 0 at every value, so the
// loss is exactly 0. Enumerated values' shapes are checked where Pyro checks them.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, plate, sample } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO, configEnumerate } from "ppl-enum";
import { checkLossAndGrads } from "./check.js";
import { klBern } from "./oracle.js";
import { Params } from "./params.js";

type E = "parallel" | "sequential" | undefined;
const inf = (e: E) => (e === undefined ? {} : { infer: { enumerate: e } });

/** The guide is the model, so the loss must be exactly 0 for every draw or enumerated value. */
function expectZeroLoss(model: Model<[]>, guide: Model<[]>, maxPlateNesting?: number): void {
  const elbo = new TraceEnumELBO(maxPlateNesting === undefined ? {} : { maxPlateNesting });
  const loss = tf.tidy(() => elbo.loss(model, guide));
  expect(Math.abs(loss), `loss ${loss}`).toBeLessThan(1e-5);
}

/** Bernoulli(0.5) model sites against Bernoulli(q) guide sites, enumerated: loss = n * scale * KL(q || 0.5). */
function bernCase(q0: number, count: number, body: (d: () => ReturnType<typeof dist.Bernoulli>) => Model<[]>) {
  const params = new Params().add("p", q0);
  return {
    params,
    model: () => body(() => dist.Bernoulli(0.5)),
    guide: (theta: tf.Tensor1D) => configEnumerate(body(() => dist.Bernoulli(params.tensor(theta, "p")))),
    oracle: (th: number[]) => -count * klBern(params.value(th, "p")(), 0.5),
  };
}

for (const q0 of [0.5, 0.3]) {
  const at = `p=${q0}${q0 === 0.5 ? "" : " (a second point, not Pyro's)"}`;
  describe("test_enum_discrete_single_ok", () => {
    it(at, () => checkLossAndGrads(bernCase(q0, 1, (d) => function* () {
      yield* sample("x", d());
    })));
  });
  describe("test_enum_discrete_single_single_ok", () => {
    it(at, () => checkLossAndGrads(bernCase(q0, 2, (d) => function* () {
      yield* sample("x", d());
      yield* sample("y", d());
    })));
  });
  describe("test_enum_discrete_iplate_single_ok", () => {
    // 5 of 10 members, each scaled by 10 / 5.
    it(at, () => checkLossAndGrads(bernCase(q0, 10, (d) => function* () {
      yield* plate("plate", 10, { sequential: true, subsampleSize: 5 }, function* (i) {
        yield* sample(`x_${i}`, d());
      });
    })));
  });
  describe("test_plate_enum_discrete_batch_ok", () => {
    it(at, () => checkLossAndGrads(bernCase(q0, 10, (d) => function* () {
      yield* plate("plate", 10, { subsampleSize: 5 }, function* () {
        yield* sample("x", d().expandBy([5]));
      });
    })));
  });
}

describe("test_enum_discrete_parallel_ok", () => {
  for (const mpn of [0, 1, 2]) {
    it(`max_plate_nesting=${mpn}`, () => {
      const shapes: number[][] = [];
      const body = (d: () => ReturnType<typeof dist.Bernoulli>) => function* () {
        const x = yield* sample("x", d());
        shapes.push(x.shape);
      };
      checkLossAndGrads({ ...bernCase(0.3, 1, body), maxPlateNesting: mpn });
      for (const s of shapes) expect(s).toEqual([2, ...new Array<number>(mpn).fill(1)]);
    });
  }
});

describe("test_enum_discrete_parallel_nested_ok (Categorical for OneHotCategorical)", () => {
  for (const mpn of [0, 1, 2]) {
    it(`max_plate_nesting=${mpn}`, () => {
      const shapes: number[][][] = [];
      const model = function* () {
        const x2 = yield* sample("x2", dist.Categorical([0.5, 0.5]));
        const x3 = yield* sample("x3", dist.Categorical([1 / 3, 1 / 3, 1 / 3]));
        shapes.push([x2.shape, x3.shape]);
      };
      expectZeroLoss(model, configEnumerate(model), mpn);
      const plateShape = new Array<number>(mpn).fill(1);
      expect(shapes.at(-1)).toEqual([[2, ...plateShape], [3, 1, ...plateShape]]);
    });
  }
});

describe("test_enumerate_parallel_plate_ok", () => {
  const cases: [E, boolean][] = [[undefined, false], ["sequential", false], ["parallel", false], ["sequential", true], ["parallel", true]];
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

describe("test_enum_discrete_non_enumerated_plate_ok", () => {
  for (const e of [undefined, "sequential", "parallel"] as E[]) {
    it(`enumerate_=${e ?? "None"}`, () => {
      const model = function* () {
        yield* sample("w", dist.Bernoulli(0.5), inf("parallel"));
        const a = yield* plate("non_enum", 2, function* () {
          return yield* sample("a", dist.Bernoulli(0.5).expandBy([2]));
        });
        const p = a.sum(-1).add(1).div(2 + 2); // b depends on a
        yield* plate("enum_1", 3, function* () {
          yield* sample("b", dist.Bernoulli(p).expandBy([3]), inf(e));
        });
      };
      expectZeroLoss(model, model, 1);
    });
  }
});
