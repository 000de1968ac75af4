// plateSum (the plan's product steps): the sum and its gradient over every pattern of
// summed axes (leading, trailing, interleaved, with size-1 axes), against float64 loops.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { plateSum } from "../../src/contract/plate-sum.js";

const shape = [3, 1, 4, 2, 5];

function index(flat: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = flat % dims[i]!;
    flat = Math.floor(flat / dims[i]!);
  }
  return out;
}

describe("plateSum", () => {
  for (const axes of [[0], [4], [0, 1], [1, 3], [0, 2, 4], [2, 3], [0, 1, 2, 3, 4]]) {
    it(`axes ${axes.join(",")}: value and gradient`, () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = Array.from({ length: size }, (_, i) => Math.cos(0.7 * i));
      const keptDims = shape.filter((_, i) => !axes.includes(i));
      const keptSize = keptDims.reduce((a, b) => a * b, 1);
      const w = Array.from({ length: keptSize }, (_, i) => Math.sin(1.3 * i + 0.2));
      const keptIndex = (flat: number) => {
        const idx = index(flat, shape).filter((_, i) => !axes.includes(i));
        return idx.reduce((acc, v, i) => acc * keptDims[i]! + v, 0);
      };
      const expected = new Float64Array(keptSize);
      xv.forEach((v, i) => (expected[keptIndex(i)]! += v));
      const x = tf.tensor(xv, shape);
      const value = tf.tidy(() => Array.from(plateSum(x, axes).dataSync()));
      value.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
      const g = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => plateSum(a, axes).reshape([keptSize]).mul(tf.tensor1d(w)).sum())(x).dataSync()));
      g.forEach((gi, i) => expect(gi).toBeCloseTo(w[keptIndex(i)]!, 5));
      x.dispose();
    });
  }
});
