// param(..., { constraint }) keeps its unconstrained value through transformTo, as
// Pyro's param store does: for the simplex that is torch's SoftmaxTransform, K
// unconstrained numbers u = log(init), value softmax(u) = init / sum(init), so an
// unnormalised positive init (hmm.py's torch.rand) is accepted. An explicit
// { mapping: "bijectTo" } (the autoguides' option) keeps stick-breaking.
// Truths: log and softmax in float64, finite differences in the K numbers, a
// float64 Adam run on them, the saved state.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  Adam, PPLConfigError, PPLModelError, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param,
  plate, run, sample,
} from "ppl-core";

beforeEach(() => clearParamStore());

const init = [0.1, 0.6, 0.3];
const counts = [2, 5, 1];
// unnormalised, as torch.rand would give
const raw = [0.42, 0.9, 0.15];

function* model() {
  return yield* param("probs", tf.tensor1d(init), { constraint: constraints.simplex });
}

function softmax64(u: number[]): number[] {
  const m = Math.max(...u);
  const e = u.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Σ counts_k log softmax(u)_k in float64. */
function loss64(u: number[]): number {
  return softmax64(u).reduce((a, p, k) => a + counts[k]! * Math.log(p), 0);
}

describe("param with a simplex constraint (Pyro's softmax)", () => {
  it("keeps K numbers, log of the init, and returns the init", () => {
    const value = Array.from(run(model).dataSync());
    value.forEach((v, k) => expect(v).toBeCloseTo(init[k]!, 6));
    const store = getParamStore();
    expect(store.mapping("probs")).toBe("transformTo");
    const u = Array.from(store.unconstrained("probs").dataSync());
    expect(u).toHaveLength(3);
    u.forEach((x, k) => expect(x).toBeCloseTo(Math.log(init[k]!), 6));
  });

  it("accepts an unnormalised positive init: unconstrained log(init), value init / sum(init)", () => {
    function* rows() {
      return yield* param("rows", tf.tensor2d([raw, [2, 2, 4]]), { constraint: constraints.simplex });
    }
    const value = run(rows).arraySync() as number[][];
    const sum = raw.reduce((a, b) => a + b, 0);
    value[0]!.forEach((v, k) => expect(v).toBeCloseTo(raw[k]! / sum, 6));
    value[1]!.forEach((v, k) => expect(v).toBeCloseTo([0.25, 0.25, 0.5][k]!, 6));
    const u = getParamStore().unconstrained("rows").arraySync() as number[][];
    expect(getParamStore().unconstrained("rows").shape).toEqual([2, 3]);
    u[0]!.forEach((x, k) => expect(x).toBeCloseTo(Math.log(raw[k]!), 6));
    u[1]!.forEach((x, k) => expect(x).toBeCloseTo(Math.log([2, 2, 4][k]!), 6));
  });

  it("its gradient through the K unconstrained numbers equals float64 finite differences", () => {
    function* unnormalised() {
      return yield* param("probs", tf.tensor1d(raw), { constraint: constraints.simplex });
    }
    run(unnormalised);
    const v = getParamStore().unconstrained("probs");
    const { value, grads } = tf.variableGrads(() => {
      const p = run(unnormalised);
      return p.log().mul(tf.tensor1d(counts)).sum() as tf.Scalar;
    }, [v]);
    const g = Array.from(Object.values(grads)[0]!.dataSync());
    const u = raw.map(Math.log);
    expect(value.dataSync()[0]).toBeCloseTo(loss64(u), 5);
    const h = 1e-5;
    expect(g).toHaveLength(3);
    u.forEach((_, i) => {
      const up = u.map((x, j) => (j === i ? x + h : x));
      const dn = u.map((x, j) => (j === i ? x - h : x));
      expect(g[i]).toBeCloseTo((loss64(up) - loss64(dn)) / (2 * h), 4);
    });
    // shifting all K numbers leaves the value alone, so the gradient has no component along (1, ..., 1)
    expect(Math.abs(g.reduce((a, b) => a + b, 0))).toBeLessThan(1e-5);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it("SVI with Adam follows Pyro's trajectory on the K numbers (float64 Adam on log(init))", () => {
    // x_i ~ Categorical(p), p a simplex param; the guide is empty. The loss is -Σ_k n_k log softmax(u)_k,
    // with gradient N softmax(u) - n; Adam as torch writes it, in float64.
    const xs = [0, 1, 1, 2, 1, 0, 1, 1];
    const n = [0, 0, 0];
    for (const x of xs) n[x]! += 1;
    function* obsModel(data: tf.Tensor) {
      const p = yield* param("probs", tf.tensor1d(raw), { constraint: constraints.simplex });
      yield* plate("data", xs.length, function* () {
        yield* sample("x", dist.Categorical(p), { obs: data });
      });
    }
    function* guide() {}
    const lr = 0.1;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const svi = new SVI(obsModel, guide, new Adam({ lr }), new TraceELBO());
    const data = tf.tensor1d(xs, "int32");
    const u = raw.map(Math.log);
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    for (let t = 1; t <= 5; t++) {
      const p = softmax64(u);
      const loss = -n.reduce((a, c, k) => a + c * Math.log(p[k]!), 0);
      expect(svi.step(data)).toBeCloseTo(loss, 4);
      u.forEach((_, k) => {
        const g = xs.length * p[k]! - n[k]!;
        m[k] = b1 * m[k]! + (1 - b1) * g;
        v[k] = b2 * v[k]! + (1 - b2) * g * g;
        u[k]! -= (lr * (m[k]! / (1 - b1 ** t))) / (Math.sqrt(v[k]! / (1 - b2 ** t)) + eps);
      });
      const got = Array.from(getParamStore().unconstrained("probs").dataSync());
      got.forEach((x, k) => expect(x, `step ${t}, u[${k}]`).toBeCloseTo(u[k]!, 5));
    }
    data.dispose();
  });

  it("an init that softmax cannot keep is refused with a PPL error naming the param", () => {
    const bad: [string, tf.Tensor][] = [
      ["a negative entry", tf.tensor1d([0.5, -0.1, 0.6])],
      ["a row of zeros", tf.tensor2d([[0.2, 0.8], [0, 0]])],
      ["an infinite entry", tf.tensor1d([1, Infinity])],
      ["a NaN", tf.tensor1d([1, NaN])],
      ["a scalar", tf.scalar(1)],
    ];
    for (const [what, t] of bad) {
      function* m() {
        yield* param("w", t, { constraint: constraints.simplex });
      }
      expect(() => run(m), what).toThrow(PPLModelError);
      expect(() => run(m), what).toThrow(/param\('w'\): a simplex param's initial value must be nonnegative and finite/);
      expect(getParamStore().has("w")).toBe(false);
    }
    tf.dispose(bad.map(([, t]) => t));
  });

  it("other constraints and the bijectTo mapping still need the init in the support", () => {
    function* neg() {
      yield* param("scale", tf.tensor1d([1, -2]), { constraint: constraints.positive });
    }
    expect(() => run(neg)).toThrow(PPLModelError);
    expect(() => run(neg)).toThrow(/param\('scale'\): the initial value is not in the support positive/);
    const store = getParamStore();
    expect(() => store.get("sb", tf.tensor1d(raw), constraints.simplex, { mapping: "bijectTo" })).toThrow(
      /param\('sb'\): the initial value is not in the support simplex/,
    );
    expect(store.names()).toEqual([]);
  });

  it("an explicit bijectTo mapping keeps stick-breaking, and the two never mix under one name", () => {
    const store = getParamStore();
    const sb = store.get("sb", tf.tensor1d(init), constraints.simplex, { mapping: "bijectTo" });
    Array.from(sb.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(init[k]!, 6));
    expect(store.mapping("sb")).toBe("bijectTo");
    // stick-breaking: K-1 numbers, the first logit(p_0) + log(K - 1), not log(p_0)
    expect(store.unconstrained("sb").shape).toEqual([2]);
    const u0 = store.unconstrained("sb").dataSync()[0]!;
    expect(u0).toBeCloseTo(Math.log(0.1 / 0.9) + Math.log(2), 5);
    // a plain param read of it keeps its mapping; asking for the other one is an error naming both
    function* plain() {
      return yield* param("sb", tf.tensor1d(init), { constraint: constraints.simplex });
    }
    Array.from(run(plain).dataSync()).forEach((v, k) => expect(v).toBeCloseTo(init[k]!, 6));
    run(model);
    expect(() => store.get("probs", undefined, constraints.simplex, { mapping: "bijectTo" })).toThrow(PPLModelError);
    expect(() => store.get("probs", undefined, constraints.simplex, { mapping: "bijectTo" })).toThrow(
      /param\('probs'\) is kept through transformTo and is now requested through bijectTo/,
    );
  });

  it("a saved and loaded store keeps the mapping and the value", () => {
    const store = getParamStore();
    run(model);
    store.get("sb", tf.tensor1d(init), constraints.simplex, { mapping: "bijectTo" }).dispose();
    store.unconstrained("probs").assign(tf.tensor1d([0.4, -1.2, 0.7]));
    const saved = JSON.parse(JSON.stringify(store.toJSON()));
    expect(saved.params.probs.mapping).toBe("transformTo");
    expect(saved.params.probs.unconstrainedShape).toEqual([3]);
    clearParamStore();
    store.load(saved);
    expect(store.mapping("probs")).toBe("transformTo");
    expect(store.mapping("sb")).toBe("bijectTo");
    const want = softmax64([0.4, -1.2, 0.7]);
    Array.from(run(model).dataSync()).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));
  });

  it("a store saved before transformTo (no mapping field) loads as bijectTo; a wrong unconstrained shape is refused", () => {
    const store = getParamStore();
    const old = {
      version: 1,
      params: { p: { constraint: { name: "simplex" }, shape: [3], unconstrainedShape: [2], unconstrained: [0, 0] } },
    };
    store.load(old);
    expect(store.mapping("p")).toBe("bijectTo");
    const bad = { version: 1, params: { p: { ...old.params.p, unconstrainedShape: [3], unconstrained: [0, 0, 0] } } };
    expect(() => store.load(bad)).toThrow(PPLConfigError);
    expect(() => store.load(bad)).toThrow(/param 'p' \(simplex through bijectTo, shape \[3\]\) needs unconstrained shape \[2\]/);
    // a transformTo simplex param needs K numbers (a state saved with the earlier K-1 softmax-centered form is refused)
    const centered = { version: 1, params: { p: { ...old.params.p, mapping: "transformTo" } } };
    expect(() => store.load(centered)).toThrow(/param 'p' \(simplex through transformTo, shape \[3\]\) needs unconstrained shape \[3\]/);
    // a refused load leaves the store as it was
    expect(store.names()).toEqual(["p"]);
  });
});
