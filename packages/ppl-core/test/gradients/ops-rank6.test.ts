// The ops a model or the enumeration path differentiates, at ranks 5 and 6, on
// cpu and wasm: tf.broadcastTo / tf.tile / a broadcasting tf.where (tfjs's own
// Tile gradient stops at rank 4), scaleAndMask with a mask that broadcasts the
// log-prob up, vindex (gather and arange paths), sumRightmost and logSumExp.
// (ppl-enum's fused logSumProduct: packages/ppl-enum/test/contract/logsumexp-rank.test.ts.)
// Truth: float64 forward values and central finite differences of Σ w·f in plain JS below.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { broadcastTo, logSumExp, vindex } from "ppl-core";
import { markArangeIndex, scaleAndMask, sumRightmost } from "ppl-core/internal";
import { broadcast, centralDiff, expectGradClose, fixed, offset, onEachBackend, size } from "./fd.js";

const LOG_2PI = Math.log(2 * Math.PI);

interface Input {
  readonly shape: number[];
  readonly values: number[];
}

/** f's value against `ref` and d(Σ w·f)/d(input) against central differences of Σ w·ref, for every input. */
function check(
  what: string,
  inputs: readonly Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  ref: (...xs: number[][]) => { shape: number[]; values: number[] },
  rank: number,
): void {
  const base = inputs.map((x) => x.values);
  const out = ref(...base);
  expect(Math.max(out.shape.length, ...inputs.map((x) => x.shape.length)), `${what} reaches rank ${rank}`).toBe(rank);
  const w = fixed(out.values.length, 0.5, 1.5, 77);
  const objective = (xs: number[][]) => ref(...xs).values.reduce((acc, v, i) => acc + w[i]! * v, 0);
  tf.tidy(() => {
    const ts = inputs.map((x) => tf.tensor(x.values, x.shape));
    const y = f(...ts);
    expect(y.shape, `${what} shape`).toEqual(out.shape);
    expectGradClose(y.dataSync(), out.values, 2e-5, `${what} value`);
    const wt = tf.tensor(w, out.shape);
    const grads = tf.grads((...xs: tf.Tensor[]) => f(...xs).mul(wt).sum())(ts);
    inputs.forEach((_, j) => {
      const fd = centralDiff(base[j]!, (v) => objective(base.map((b, k) => (k === j ? v : b))));
      expectGradClose(grads[j]!.dataSync(), fd, 2e-4, `${what} d/d(input ${j})`);
    });
  });
}

const input = (shape: number[], lo: number, hi: number, seed: number): Input => ({ shape, values: fixed(size(shape), lo, hi, seed) });

/** Elementwise map over the broadcast of the inputs' shapes. */
function zipWith(inputs: readonly { shape: readonly number[]; values: readonly number[] }[], f: (...v: number[]) => number) {
  const shape = broadcast(inputs.map((x) => x.shape));
  const values = Array.from({ length: size(shape) }, (_, o) => f(...inputs.map((x) => x.values[offset(x.shape, shape, o)]!)));
  return { shape, values };
}

/** The index of element o of `shape` along every dim. */
function unravel(shape: readonly number[], o: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = o % shape[d]!;
    o = Math.floor(o / shape[d]!);
  }
  return idx;
}
const ravel = (shape: readonly number[], idx: readonly number[]): number => idx.reduce((acc, i, d) => acc * shape[d]! + i, 0);

onEachBackend((backend) => {
  for (const rank of [5, 6] as const) {
    it(`broadcastTo (ops/tensor.ts) and a broadcasting tf.where at rank ${rank} (${backend})`, () => {
      const xs = rank === 6 ? [2, 1, 3, 1, 1, 2] : [2, 1, 3, 1, 2];
      const target = rank === 6 ? [2, 2, 3, 2, 2, 2] : [2, 2, 3, 2, 2];
      const x = input(xs, -1, 1, 1);
      check("broadcastTo(x)²", [x], (t) => broadcastTo(t, target).square(), (v) => {
        const r = zipWith([{ shape: xs, values: v }, { shape: target, values: new Array<number>(size(target)).fill(0) }], (a) => a * a);
        return r;
      }, rank);
      const condShape = rank === 6 ? [2, 1, 1, 2, 1, 1] : [1, 2, 1, 2, 1];
      const cond = fixed(size(condShape), 0, 1, 3).map((u) => (u < 0.5 ? 1 : 0));
      const other = input(rank === 6 ? [1, 2, 1, 1, 2, 1] : [2, 1, 1, 1, 2], -1, 1, 4);
      check("where(c, x², y)", [x, other], (a, b) => tf.where(tf.tensor(cond, condShape, "bool"), a!.square(), b!), (a, b) =>
        zipWith([{ shape: condShape, values: cond }, { shape: xs, values: a }, { shape: other.shape, values: b }], (c, p, q) => (c === 1 ? p * p : q)), rank);
    });

    it(`tf.tile with copies of dims larger than 1 at rank ${rank} (${backend})`, () => {
      const xs = rank === 6 ? [2, 3, 1, 1, 2, 1] : [2, 1, 3, 1, 2];
      const reps = rank === 6 ? [2, 1, 2, 1, 1, 3] : [2, 2, 1, 3, 2];
      const outShape = xs.map((d, i) => d * reps[i]!);
      check("tile(x)²", [input(xs, -1, 1, 5)], (t) => tf.tile(t, reps).square(), (v) => ({
        shape: outShape,
        values: Array.from({ length: size(outShape) }, (_, o) => {
          const x = v[ravel(xs, unravel(outShape, o).map((i, d) => i % xs[d]!))]!;
          return x * x;
        }),
      }), rank);
    });

    it(`scaleAndMask with a mask that broadcasts the log-prob up, at rank ${rank} (${backend})`, () => {
      const locShape = rank === 6 ? [2, 1, 1, 1, 3] : [2, 1, 1, 3];
      const valueShape = rank === 6 ? [1, 2, 1, 2, 1, 3] : [1, 2, 2, 1, 3];
      const maskShape = rank === 6 ? [2, 1, 2, 1, 1, 1] : [2, 1, 1, 2, 1];
      const mask = [1, 0, 1, 1];
      const normal = (v: number, m: number) => -0.5 * (v - m) ** 2 - 0.5 * LOG_2PI;
      check("scaleAndMask(Normal lp, 0.7, mask)", [input(locShape, -1, 1, 6), input(valueShape, -2, 2, 7)], (loc, value) => {
        const lp = value!.sub(loc!).square().mul(-0.5).sub(0.5 * LOG_2PI);
        return scaleAndMask(lp, 0.7, tf.tensor(mask, maskShape, "bool"));
      }, (loc, value) => zipWith(
        [{ shape: locShape, values: loc }, { shape: valueShape, values: value }, { shape: maskShape, values: mask }],
        (m, v, k) => (k === 1 ? 0.7 * normal(v, m) : 0),
      ), rank);
    });

    it(`vindex(x, "...", i, ":") through the gather and the arange paths at rank ${rank} (${backend})`, () => {
      // x: batch ++ [n, C]; out: broadcast(batch, i.shape) ++ [C]
      const layouts = rank === 6
        ? { gather: { x: [2, 1, 3, 2, 4, 3], i: [2, 1, 1, 1, 1] }, arange: { x: [2, 1, 2, 1, 4, 3], i: [4, 1, 1, 1, 1] } }
        : { gather: { x: [2, 3, 1, 4, 3], i: [2, 1, 1, 2] }, arange: { x: [2, 1, 2, 4, 3], i: [4, 1, 1, 1] } };
      for (const [path, { x: xs, i: is }] of Object.entries(layouts)) {
        const n = xs[xs.length - 2]!;
        const C = xs[xs.length - 1]!;
        const xb = xs.slice(0, -2);
        const idx = path === "arange" ? Array.from({ length: n }, (_, k) => k) : fixed(size(is), 0, n, 8).map(Math.floor);
        const outBatch = broadcast([xb, is]);
        check(`vindex ${path}`, [input(xs, -1, 1, 9)], (t) => {
          const ix = tf.tensor(idx, is, "int32");
          if (path === "arange") markArangeIndex(ix);
          return vindex(t, "...", ix, ":").square();
        }, (v) => ({
          shape: [...outBatch, C],
          values: Array.from({ length: size(outBatch) * C }, (_, o) => {
            const b = Math.floor(o / C);
            const x = v[(offset(xb, outBatch, b) * n + idx[offset(is, outBatch, b)]!) * C + (o % C)]!;
            return x * x;
          }),
        }), rank);
      }
    });

    it(`sumRightmost and logSumExp at rank ${rank} (${backend})`, () => {
      const xs = rank === 6 ? [2, 1, 3, 2, 2, 3] : [2, 3, 1, 2, 3];
      const x = input(xs, -2, 2, 10);
      const block = xs[xs.length - 1]! * xs[xs.length - 2]!;
      const lead = xs.slice(0, -2);
      check("sumRightmost(x², 2)", [x], (t) => sumRightmost(t.square(), 2), (v) => ({
        shape: lead,
        values: Array.from({ length: size(lead) }, (_, r) => v.slice(r * block, (r + 1) * block).reduce((a, b) => a + b * b, 0)),
      }), rank);
      const K = xs[xs.length - 1]!;
      check("logSumExp(x, -1)", [x], (t) => logSumExp(t, -1), (v) => ({
        shape: xs.slice(0, -1),
        values: Array.from({ length: v.length / K }, (_, r) => Math.log(v.slice(r * K, (r + 1) * K).reduce((a, b) => a + Math.exp(b), 0))),
      }), rank);
    });
  }
});
