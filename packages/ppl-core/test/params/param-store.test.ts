// The ParamStore: constrained values, unconstrained storage, JSON round trip,
// clearing, and the errors of an inconsistent re-declaration.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLModelError, clearParamStore, constraints, getParamStore, param, run, trace,
} from "ppl-core";
import { expectClose, thrown, vals } from "../helpers.js";

beforeEach(() => clearParamStore());

function* declare() {
  const loc = yield* param("loc", tf.tensor1d([0.5, -1]));
  const scale = yield* param("scale", tf.tensor1d([0.2, 3]), { constraint: constraints.positive });
  const probs = yield* param("probs", tf.tensor1d([0.1, 0.6, 0.3]), { constraint: constraints.simplex });
  const frac = yield* param("frac", tf.scalar(0.25), { constraint: constraints.interval(-1, 1) });
  return { loc, scale, probs, frac };
}

describe("param", () => {
  it("returns the init in constrained space and stores the unconstrained variable", () => {
    const v = run(declare);
    expectClose(vals(v.loc), [0.5, -1], 1e-7);
    expectClose(vals(v.scale), [0.2, 3], 1e-6, 1e-6);
    expectClose(vals(v.probs), [0.1, 0.6, 0.3], 1e-6);
    expectClose(vals(v.frac), [0.25], 1e-6);
    const store = getParamStore();
    expect(store.names()).toEqual(["loc", "scale", "probs", "frac"]);
    expectClose(vals(store.unconstrained("scale")), [Math.log(0.2), Math.log(3)], 1e-6);
    // a simplex param is kept as Pyro keeps it: K numbers, the log of the init (softmax maps them back)
    expectClose(vals(store.unconstrained("probs")), [0.1, 0.6, 0.3].map(Math.log), 1e-6);
    // interval(-1, 1): y = -1 + 2 sigmoid(x), so x = logit((y + 1) / 2)
    expectClose(vals(store.unconstrained("frac")), [Math.log(0.625 / 0.375)], 1e-5);
    expect(store.constraint("scale").name).toBe("positive");
  });

  it("maps any unconstrained value into the support", () => {
    run(declare);
    const store = getParamStore();
    store.unconstrained("scale").assign(tf.tensor1d([-30, 4]));
    store.unconstrained("probs").assign(tf.tensor1d([25, -25, 0]));
    const v = run(declare);
    for (const s of vals(v.scale)) expect(s).toBeGreaterThan(0);
    expectClose(vals(v.scale), [Math.exp(-30), Math.exp(4)], 1e-12, 1e-5);
    const p = vals(v.probs);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
    // softmax([25, -25, 0]) in float64
    const z = 1 + Math.exp(-50) + Math.exp(-25);
    expectClose(p, [1 / z, Math.exp(-50) / z, Math.exp(-25) / z], 1e-12, 1e-5);
  });

  it("ignores init after the first declaration and returns the stored value", () => {
    run(declare);
    getParamStore().unconstrained("loc").assign(tf.tensor1d([7, 8]));
    function* again() {
      return yield* param("loc", tf.tensor1d([0, 0]));
    }
    expect(vals(run(again))).toEqual([7, 8]);
    function* noInit() {
      return yield* param("loc");
    }
    expect(vals(run(noInit))).toEqual([7, 8]);
  });

  it("accepts a lazy init, called once", () => {
    let calls = 0;
    function* lazy() {
      return yield* param("w", () => {
        calls++;
        return tf.ones([2, 2]);
      });
    }
    run(lazy);
    run(lazy);
    expect(calls).toBe(1);
    expect(getParamStore().unconstrained("w").shape).toEqual([2, 2]);
  });

  it("a param site appears in the trace with its constrained value", () => {
    const tr = trace(declare).getTrace();
    const s = tr.get("scale")!;
    expect(s.type).toBe("param");
    expectClose(vals(s.value!), [0.2, 3], 1e-6, 1e-6);
  });

  it("the value handed out is not the stored variable: disposing it leaves the param intact", () => {
    function* real() {
      return yield* param("r", tf.tensor1d([1, 2]));
    }
    run(real).dispose();
    expect(vals(run(real))).toEqual([1, 2]);
  });
});

describe("param errors", () => {
  it("re-declaring a param with another constraint errors, naming both", () => {
    run(declare);
    function* clash() {
      yield* param("scale", tf.tensor1d([1, 1]), { constraint: constraints.unitInterval });
    }
    const err = thrown(() => run(clash)) as PPLModelError;
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.site).toBe("scale");
    expect(err.message).toContain("positive");
    expect(err.message).toContain("unitInterval");
  });

  it("re-declaring with another shape errors", () => {
    run(declare);
    function* reshape() {
      yield* param("loc", tf.tensor1d([1, 2, 3]));
    }
    expect(thrown(() => run(reshape))).toBeInstanceOf(PPLModelError);
  });

  it("an unknown param without init, or an init outside the support, errors", () => {
    function* missing() {
      yield* param("nope");
    }
    const err = thrown(() => run(missing)) as PPLModelError;
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.site).toBe("nope");
    function* outside() {
      yield* param("neg", tf.scalar(-1), { constraint: constraints.positive });
    }
    expect(thrown(() => run(outside))).toBeInstanceOf(PPLModelError);
    expect(getParamStore().has("neg")).toBe(false);
  });
});

describe("ParamStore save / load / clear", () => {
  it("toJSON -> JSON text -> load restores values, shapes and constraints", () => {
    run(declare);
    const store = getParamStore();
    store.unconstrained("loc").assign(tf.tensor1d([1.25, -2.5]));
    const before = store.values();
    const text = JSON.stringify(store.toJSON());
    clearParamStore();
    expect(store.names()).toEqual([]);
    store.load(JSON.parse(text));
    expect(store.names()).toEqual(["loc", "scale", "probs", "frac"]);
    const after = store.values();
    for (const name of Object.keys(before)) {
      expectClose([before[name]].flat(2) as number[], [after[name]].flat(2) as number[], 1e-7);
    }
    expect(store.constraint("probs").name).toBe("simplex");
    expect(store.constraint("frac").name).toBe("interval(-1, 1)");
    // the loaded params are used by the model, and re-declaring with the same constraint is fine
    const v = run(declare);
    expectClose(vals(v.loc), [1.25, -2.5], 1e-7);
    expectClose(vals(v.probs), [0.1, 0.6, 0.3], 1e-6);
  });

  it("round trips independent constraints over bounded bases", () => {
    const lower = constraints.independent(constraints.greaterThan(2), 1);
    const box = constraints.independent(constraints.interval(0, 5), 1);
    function* bounded() {
      const g = yield* param("g", tf.tensor1d([3, 4]), { constraint: lower });
      const b = yield* param("b", tf.tensor1d([1, 4.5]), { constraint: box });
      return { g, b };
    }
    run(bounded);
    const store = getParamStore();
    const text = JSON.stringify(store.toJSON());
    clearParamStore();
    store.load(JSON.parse(text));
    expect(store.constraint("g").name).toBe(lower.name);
    expect(store.constraint("b").name).toBe(box.name);
    const v = run(bounded);
    expectClose(vals(v.g), [3, 4], 1e-5);
    expectClose(vals(v.b), [1, 4.5], 1e-5);
  });

  it("load rejects something that is not a saved store", () => {
    expect(thrown(() => getParamStore().load({ version: 2, params: {} }))).toBeInstanceOf(PPLConfigError);
    expect(thrown(() => getParamStore().load({ hello: 1 }))).toBeInstanceOf(PPLConfigError);
  });

  it("clearParamStore forgets and disposes every param", () => {
    run(declare);
    const v = getParamStore().unconstrained("loc");
    const before = tf.memory().numTensors;
    clearParamStore();
    expect(getParamStore().names()).toEqual([]);
    expect(v.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before - 4);
    // a fresh declaration starts again from init
    expectClose(vals(run(declare).loc), [0.5, -1], 1e-7);
  });
});
