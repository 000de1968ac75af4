// ppl's Sum kernel on wasm (backend/wasm-sum.ts: float32 sums read in place, without tfjs's transpose) against
// plain-JS sums: within float32 round-off of the float64 sum on every backend, and on wasm bit for bit the
// float32 sum taken in the order tfjs's own wasm kernel reads (the reduced axes innermost, row-major, one
// float32 add at a time), so the numbers are those it gave.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { expectGradClose, fixed, onEachBackend, size } from "./fd.js";

const CASES: readonly (readonly [number[], number[], boolean])[] = [
  [[8, 392, 2], [1], false], // a broadcast multiply's gradient in the Bayesian regression
  [[8, 392, 2], [2], false],
  [[8, 392, 2], [0, 2], true],
  [[3, 4, 5, 6], [1, 3], false],
  [[3, 4, 5, 6], [0], true],
  [[5000], [0], false],
  [[2, 1, 3], [1], false],
  [[2, 1, 2, 1, 2, 1, 3], [0, 2, 6], false],
];

/** The sums over `axes`, reduced positions visited row-major, each added in float32 (f32) or float64. */
function reference(v: readonly number[], shape: readonly number[], axes: readonly number[], f32: boolean): number[] {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const strides = shape.map((_, i) => size(shape.slice(i + 1)));
  const positions = (dims: readonly number[]): number[] =>
    Array.from({ length: dims.reduce((n, d) => n * shape[d]!, 1) }, (_, p) => {
      let o = 0;
      for (let k = dims.length - 1; k >= 0; k--) {
        o += (p % shape[dims[k]!]!) * strides[dims[k]!]!;
        p = Math.floor(p / shape[dims[k]!]!);
      }
      return o;
    });
  const inner = positions(axes);
  return positions(kept).map((b) => inner.reduce((acc, o) => (f32 ? Math.fround(acc + v[b + o]!) : acc + v[b + o]!), 0));
}

onEachBackend((backend) => {
  it(`sum over any axes matches plain-JS sums${backend === "wasm" ? ", bit for bit in tfjs's order" : ""} (${backend})`, () => {
    const before = tf.memory().numTensors;
    CASES.forEach(([shape, axes, keepDims], j) => {
      const v = fixed(size(shape), -10, 10, 5 + j).map(Math.fround);
      const got = tf.tidy(() => {
        const s = tf.tensor(v, shape).sum(axes, keepDims);
        return { shape: s.shape, values: Array.from(s.dataSync()) };
      });
      const label = `sum of [${shape}] over [${axes}]`;
      expect(got.shape, label).toEqual(keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i)));
      expectGradClose(got.values, reference(v, shape, axes, false), 1e-5, label);
      if (backend === "wasm") expect(got.values, `${label}: float32 in tfjs's order`).toEqual(reference(v, shape, axes, true));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
