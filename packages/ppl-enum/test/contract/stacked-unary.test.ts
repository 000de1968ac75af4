// A time chain's unary term as one op (src/contract/stacked-unary.ts) against the term written out in float64:
// factors laid at t = 0, on t = 1..T-1 (time-last, as an emission arrives) and on every step, each read through
// its strides with broadcasting over the batch and the states; the gradient of Σ w · term in each factor is
// the sum of w over the places the factor's element lands.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { stackedUnary } from "../../src/contract/stacked-unary.js";

describe("stackedUnary", () => {
  it("lays each factor on its steps through its strides; its gradient sums w back onto each element", () => {
    const [B, T, K0, K1] = [2, 4, 2, 3];
    const K = K0 * K1;
    const r = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
    // init on (batch, state 0) only: [B, K0]; curr time-last on both states, shared by the batch: [K0, K1, T-1];
    // every step on state 1 only: [T, K1]
    const init = tf.tensor(r(B * K0, 1), [B, K0]);
    const curr = tf.tensor(r(K0 * K1 * (T - 1), 2), [K0, K1, T - 1]);
    const every = tf.tensor(r(T * K1, 3), [T, K1]);
    const pieces = [
      { data: init, first: 0, steps: 1, batch: [K0], time: 0, state: [1, 0] },
      { data: curr, first: 1, steps: T - 1, batch: [0], time: 1, state: [K1 * (T - 1), T - 1] },
      { data: every, first: 0, steps: T, batch: [0], time: K1, state: [0, 1] },
    ];
    const [xi, xc, xe] = [init, curr, every].map((t) => Array.from(t.dataSync()));
    const want = (b: number, t: number, k0: number, k1: number) =>
      (t === 0 ? xi[b * K0 + k0]! : xc[(k0 * K1 + k1) * (T - 1) + t - 1]!) + xe[t * K1 + k1]!;
    const out = stackedUnary(pieces, [B], T, [K0, K1]);
    expect(out.shape).toEqual([B, T, K]);
    const got = out.dataSync();
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k0 = 0; k0 < K0; k0++) for (let k1 = 0; k1 < K1; k1++) {
      expect(got[(b * T + t) * K + k0 * K1 + k1]).toBeCloseTo(want(b, t, k0, k1), 5);
    }
    const w = r(B * T * K, 4);
    const wt = tf.tensor(w, [B, T, K]);
    const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
      stackedUnary([{ ...pieces[0]!, data: a }, { ...pieces[1]!, data: c }, { ...pieces[2]!, data: e }], [B], T, [K0, K1]).mul(wt).sum())([init, curr, every]);
    const gi = new Float64Array(B * K0);
    const gc = new Float64Array(K0 * K1 * (T - 1));
    const ge = new Float64Array(T * K1);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k0 = 0; k0 < K0; k0++) for (let k1 = 0; k1 < K1; k1++) {
      const x = w[(b * T + t) * K + k0 * K1 + k1]!;
      if (t === 0) gi[b * K0 + k0]! += x;
      else gc[(k0 * K1 + k1) * (T - 1) + t - 1]! += x;
      ge[t * K1 + k1]! += x;
    }
    [gi, gc, ge].forEach((g, i) => Array.from(grads[i]!.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(g[j]!, 5)));
    tf.dispose([init, curr, every, out, wt, ...grads]);
  });
});
