// param(..., { constraint }) keeps its unconstrained value through transformTo, as
// Pyro's param store does (softmax for the simplex), while an explicit
// { mapping: "bijectTo" } (the autoguides' option) keeps stick-breaking.
// Truths: the softmax inverse in float64, finite differences, the saved state.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import { PPLConfigError, PPLModelError, clearParamStore, constraints, getParamStore, param, run } from "ppl-core";

beforeEach(() => clearParamStore());

const init = [0.1, 0.6, 0.3];
const counts = [2, 5, 1];

function* model() {
  return yield* param("probs", tf.tensor1d(init), { constraint: constraints.simplex });
}

/** Σ counts_k log p_k with p = softmax([u, 0]) (the softmax-centered map), in float64. */
function loss64(u: number[]): number {
  const x = [...u, 0];
  const m = Math.max(...x);
  const z = m + Math.log(x.reduce((a, v) => a + Math.exp(v - m), 0));
  return x.reduce((a, v, k) => a + counts[k]! * (v - z), 0);
}

describe("param with a simplex constraint", () => {
  it("is kept as the log of the init up to a constant (softmax inverse), and returns the init", () => {
    const value = Array.from(run(model).dataSync());
    value.forEach((v, k) => expect(v).toBeCloseTo(init[k]!, 6));
    const store = getParamStore();
    expect(store.mapping("probs")).toBe("transformTo");
    const u = Array.from(store.unconstrained("probs").dataSync());
    // softmax-centered: K-1 numbers, u_k - log p_k the same constant (-log p_K) for every k
    expect(u).toHaveLength(2);
    const c = u.map((x, k) => x - Math.log(init[k]!));
    for (const ck of c) expect(ck).toBeCloseTo(-Math.log(init[2]!), 5);
  });

  it("its gradient through the unconstrained value equals finite differences", () => {
    run(model);
    const v = getParamStore().unconstrained("probs");
    const { grads } = tf.variableGrads(() => {
      const p = run(model);
      return p.log().mul(tf.tensor1d(counts)).sum() as tf.Scalar;
    }, [v]);
    const g = Array.from(Object.values(grads)[0]!.dataSync());
    const u = Array.from(v.dataSync());
    const h = 1e-5;
    u.forEach((_, i) => {
      const up = u.map((x, j) => (j === i ? x + h : x));
      const dn = u.map((x, j) => (j === i ? x - h : x));
      expect(g[i]).toBeCloseTo((loss64(up) - loss64(dn)) / (2 * h), 3);
    });
  });

  it("an explicit bijectTo mapping keeps stick-breaking, and the two never mix under one name", () => {
    const store = getParamStore();
    const sb = store.get("sb", tf.tensor1d(init), constraints.simplex, { mapping: "bijectTo" });
    Array.from(sb.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(init[k]!, 6));
    expect(store.mapping("sb")).toBe("bijectTo");
    // stick-breaking's first coordinate is logit(p_0) + log(K - 1), not log(p_0 / p_K)
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
    store.unconstrained("probs").assign(tf.tensor1d([0.4, -1.2]));
    const saved = JSON.parse(JSON.stringify(store.toJSON()));
    expect(saved.params.probs.mapping).toBe("transformTo");
    clearParamStore();
    store.load(saved);
    expect(store.mapping("probs")).toBe("transformTo");
    expect(store.mapping("sb")).toBe("bijectTo");
    // softmax([0.4, -1.2, 0]) in float64
    const e = [Math.exp(0.4), Math.exp(-1.2), 1];
    const s = e[0]! + e[1]! + e[2]!;
    Array.from(run(model).dataSync()).forEach((v, k) => expect(v).toBeCloseTo(e[k]! / s, 6));
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
    // a refused load leaves the store as it was
    expect(store.names()).toEqual(["p"]);
  });
});
