// ppl's Tile kernel on wasm (backend/wasm-tile.ts: the input written out in JS) and the Sum gradient that tiles
// dy (backend/gradient-fixes.ts), against plain-JS references: Tile's output element i reads the input at
// i mod its size along each axis; d/dx Σ w·sum(x, axes) is w read at x's index with the summed axes dropped.
// Exact: both only copy values.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { fixed, onEachBackend, size } from "./fd.js";

function unravel(o: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = o % shape[d]!;
    o = Math.floor(o / shape[d]!);
  }
  return idx;
}

const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((o, k, d) => o * shape[d]! + k, 0);

const TILES: readonly (readonly [number[], number[]])[] = [
  [[3136, 1], [1, 2]], // tf.broadcastTo of a Sum's [8, 392, 1] gradient, flattened
  [[8, 392, 1], [1, 1, 2]],
  [[2, 3], [3, 1]],
  [[2, 1, 3], [2, 4, 1]],
  [[1, 5], [6, 2]],
  [[4], [1]],
  [[], []],
  [[0, 3], [2, 1]],
  [[2, 1, 2, 1, 2, 1, 2], [1, 2, 1, 3, 1, 2, 1]],
];

onEachBackend((backend) => {
  it(`tile writes each output element from the input element it repeats, for float32, int32 and bool (${backend})`, () => {
    const before = tf.memory().numTensors;
    TILES.forEach(([shape, reps], j) => {
      const out = shape.map((d, i) => d * reps[i]!);
      const v = fixed(size(shape), -4, 4, 31 + j).map((x) => Math.round(x) + 0); // + 0: no -0, which int32 cannot hold
      const expected = Array.from({ length: size(out) }, (_, o) => v[ravel(unravel(o, out).map((k, d) => k % shape[d]!), shape)]!);
      for (const dtype of ["float32", "int32", "bool"] as const) {
        const values = dtype === "bool" ? v.map((x) => (x > 0 ? 1 : 0)) : v;
        const want = dtype === "bool" ? expected.map((x) => (x > 0 ? 1 : 0)) : expected;
        const got = tf.tidy(() => {
          const t = tf.tile(tf.tensor(values, shape, dtype), reps);
          return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
        });
        expect(got.shape, `[${shape}] by [${reps}] ${dtype}: shape`).toEqual(out);
        expect(got.dtype).toBe(dtype);
        expect(got.values, `[${shape}] by [${reps}] ${dtype}`).toEqual(want);
      }
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it(`the gradient of a sum is the weight repeated over the summed axes (${backend})`, () => {
    const cases: readonly (readonly [number[], number[], boolean])[] = [
      [[8, 392, 2], [2], false],
      [[8, 392, 2], [1], false],
      [[3, 4, 5], [0, 2], true],
      [[3, 4], [0, 1], false],
      [[6], [0], true],
      [[2, 1, 2, 1, 2, 1, 3], [1, 4, 6], false],
    ];
    cases.forEach(([shape, axes, keepDims], j) => {
      const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const outShape = keepDims ? kept : shape.filter((_, i) => !axes.includes(i));
      const w = fixed(size(outShape), -1, 1, 7 + j);
      const x = fixed(size(shape), -1, 1, 70 + j);
      const g = tf.tidy(() => {
        const wt = tf.tensor(w, outShape);
        return Array.from(tf.grad((t: tf.Tensor) => t.sum(axes, keepDims).mul(wt).sum())(tf.tensor(x, shape)).dataSync());
      });
      const expected = Array.from({ length: size(shape) }, (_, o) => w[ravel(unravel(o, shape).map((k, d) => (axes.includes(d) ? 0 : k)), kept)]!);
      expect(g, `sum of [${shape}] over [${axes}]`).toEqual(expected.map(Math.fround));
    });
  });
});
