// A time chain's term as the factors that make it (src/contract/stacked-term.ts) against the term written out in
// float64: factors laid at t = 0, on t = 1..T-1 (time-last, as an emission arrives) and on every step, each read
// through its strides with broadcasting over the batch and the states, as one op (stackedTensor) and as JS values
// (stackedValues, into a new array or a given one); a pair term from a transition transposed (current state first) and one shared by every step,
// and that one alone (laid out as the term is: its own values, its gradient dy).
// The op's gradient of Σ w · term in each factor is the sum of w over the places the factor's element lands.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { readValues } from "ppl-core/internal";
import { type StackedTerm, readCopy, stackedTensor, stackedValues } from "../../src/contract/stacked-term.js";

const r = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));

describe("stacked terms", () => {
  const [B, T, K0, K1] = [2, 4, 2, 3];
  const K = K0 * K1;
  // init on (batch, state 0) only: [B, K0]; curr time-last on both states, shared by the batch: [K0, K1, T-1];
  // every step on state 1 only: [T, K1]
  const xi = r(B * K0, 1);
  const xc = r(K0 * K1 * (T - 1), 2);
  const xe = r(T * K1, 3);
  const want = (b: number, t: number, k0: number, k1: number) =>
    (t === 0 ? xi[b * K0 + k0]! : xc[(k0 * K1 + k1) * (T - 1) + t - 1]!) + xe[t * K1 + k1]!;
  const unary = (init: tf.Tensor, curr: tf.Tensor, every: tf.Tensor): StackedTerm => ({
    pieces: [
      { data: init, first: 0, steps: 1, batch: [K0], time: 0, state: [1, 0] },
      { data: curr, first: 1, steps: T - 1, batch: [0], time: 1, state: [K1 * (T - 1), T - 1] },
      { data: every, first: 0, steps: T, batch: [0], time: K1, state: [0, 1] },
    ],
    batchShape: [B], n: T, stateShape: [K0, K1], shape: [B, T, K],
  });

  it("lays each factor on its steps through its strides, as an op and as float64 values", () => {
    const xs = [tf.tensor(xi, [B, K0]), tf.tensor(xc, [K0, K1, T - 1]), tf.tensor(xe, [T, K1])] as const;
    const term = unary(...xs);
    const out = stackedTensor(term);
    expect(out.shape).toEqual([B, T, K]);
    const got = out.dataSync();
    const values = stackedValues(term, readCopy);
    expect(Array.from(stackedValues(term, readValues))).toEqual(Array.from(values));
    // into a given array, whatever it held
    const into = new Float64Array(B * T * K).fill(7);
    expect(stackedValues(term, readValues, into)).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(values));
    // the float64 sum of the factors' float32 values
    const f32 = (x: number) => Math.fround(x);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k0 = 0; k0 < K0; k0++) for (let k1 = 0; k1 < K1; k1++) {
      const i = (b * T + t) * K + k0 * K1 + k1;
      expect(got[i]).toBeCloseTo(want(b, t, k0, k1), 5);
      const exact = (t === 0 ? f32(xi[b * K0 + k0]!) : f32(xc[(k0 * K1 + k1) * (T - 1) + t - 1]!)) + f32(xe[t * K1 + k1]!);
      expect(values[i]).toBe(exact);
    }
    tf.dispose([...xs, out]);
  });

  it("its gradient sums w back onto each element", () => {
    const xs = [tf.tensor(xi, [B, K0]), tf.tensor(xc, [K0, K1, T - 1]), tf.tensor(xe, [T, K1])];
    const w = r(B * T * K, 4);
    const wt = tf.tensor(w, [B, T, K]);
    const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => stackedTensor(unary(a, c, e)).mul(wt).sum())(xs);
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
    tf.dispose([...xs, wt, ...grads]);
  });

  it("a pair term: a transition stored current state first and time-last, plus one shared by every step", () => {
    const [Tp, Kp] = [3, 3];
    // a: [curr, prev, time] per step; s: [prev, curr], no time dim (stride 0 along it)
    const xa = r(Kp * Kp * Tp, 5);
    const xs = r(Kp * Kp, 6);
    const a = tf.tensor(xa, [Kp, Kp, Tp]);
    const s = tf.tensor(xs, [Kp, Kp]);
    const term: StackedTerm = {
      pieces: [
        { data: a, first: 0, steps: Tp, batch: [], time: 1, state: [Tp, Kp * Tp] },
        { data: s, first: 0, steps: Tp, batch: [], time: 0, state: [Kp, 1] },
      ],
      batchShape: [], n: Tp, stateShape: [Kp, Kp], shape: [1, Tp, Kp, Kp],
    };
    const out = stackedTensor(term);
    expect(out.shape).toEqual([1, Tp, Kp, Kp]);
    const got = out.dataSync();
    const values = stackedValues(term, readCopy);
    for (let t = 0; t < Tp; t++) for (let i = 0; i < Kp; i++) for (let j = 0; j < Kp; j++) {
      const x = xa[(j * Kp + i) * Tp + t]! + xs[i * Kp + j]!;
      expect(got[(t * Kp + i) * Kp + j]).toBeCloseTo(x, 5);
      expect(values[(t * Kp + i) * Kp + j]).toBeCloseTo(x, 6);
    }
    // the shared transition alone is laid out as the term is: read as it is, and differentiable
    const alone: StackedTerm = { ...term, pieces: [{ ...term.pieces[1]!, steps: 1 }], n: 1, shape: [1, 1, Kp, Kp] };
    const w = r(Kp * Kp, 7);
    const [g] = tf.grads((x: tf.Tensor) => stackedTensor({ ...alone, pieces: [{ ...alone.pieces[0]!, data: x }] }).mul(tf.tensor(w, [1, 1, Kp, Kp])).sum())([s]);
    expect(Array.from(stackedTensor(alone).dataSync())).toEqual(Array.from(Float32Array.from(xs)));
    expect(Array.from(stackedValues(alone, readValues))).toEqual(Array.from(Float32Array.from(xs)));
    Array.from(g!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(w[i]!, 6));
    tf.dispose([a, s, out, g!]);
  });
});
