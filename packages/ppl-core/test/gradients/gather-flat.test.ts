// gatherFlat (ops/gather.ts), the gather under vindex: values are x[idx] read
// in plain JS, the gradient of Σ w·x[idx] is the closed form Σ_{i: idx_i = j} w_i
// summed in float64 (repeated indices included), bad indices are a PPLShapeError.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLShapeError, makeRng } from "ppl-core";
import { gatherFlat } from "../../src/ops/gather.js";

describe("gatherFlat", () => {
  const rand = makeRng(5);
  const n = 37;
  const xv = Array.from({ length: n }, () => 4 * rand() - 2);
  // [3, 4, 5] indices with repeats, the shape vindex hands over
  const shape = [3, 4, 5];
  const idxv = Array.from({ length: 60 }, () => Math.floor(rand() * n));
  const wv = Array.from({ length: 60 }, () => 2 * rand() - 1);

  it("values: x[idx] at idx's shape", () => {
    const x = tf.tensor1d(xv);
    const idx = tf.tensor(idxv, shape, "int32");
    const out = gatherFlat(x, idx);
    expect(out.shape).toEqual(shape);
    const got = out.dataSync();
    idxv.forEach((j, i) => expect(got[i]).toBe(Math.fround(xv[j]!)));
    tf.dispose([x, idx, out]);
  });

  it("gradient of Σ w·x[idx]: Σ of w over the positions holding each index (float64 closed form)", () => {
    const x = tf.tensor1d(xv);
    const idx = tf.tensor(idxv, shape, "int32");
    const w = tf.tensor(wv, shape);
    const g = tf.grad((t: tf.Tensor) => gatherFlat(t as tf.Tensor1D, idx).mul(w).sum())(x);
    const expected = new Float64Array(n);
    idxv.forEach((j, i) => (expected[j]! += Math.fround(wv[i]!)));
    const got = g.dataSync();
    expected.forEach((e, j) => expect(Math.abs(got[j]! - e)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(e))));
    // an index no position holds gets exactly 0
    const unused = expected.findIndex((_, j) => !idxv.includes(j));
    if (unused >= 0) expect(got[unused]).toBe(0);
    tf.dispose([x, idx, w, g]);
  });

  it("a scalar index gives a scalar", () => {
    const x = tf.tensor1d(xv);
    const idx = tf.scalar(7, "int32");
    const out = gatherFlat(x, idx);
    expect(out.shape).toEqual([]);
    expect(out.dataSync()[0]).toBe(Math.fround(xv[7]!));
    tf.dispose([x, idx, out]);
  });

  it("an index outside the table is a PPLShapeError naming it", () => {
    const x = tf.tensor1d(xv);
    const idx = tf.tensor1d([0, n], "int32");
    expect(() => gatherFlat(x, idx)).toThrow(PPLShapeError);
    expect(() => gatherFlat(x, idx)).toThrow(`index ${n} (flat element 1) is out of range for a table of ${n} entries`);
    tf.dispose([x, idx]);
  });

  it("leaves no tensor behind (value and gradient)", () => {
    const x = tf.tensor1d(xv);
    const idx = tf.tensor(idxv, shape, "int32");
    const run = () => tf.tidy(() => tf.grad((t: tf.Tensor) => gatherFlat(t as tf.Tensor1D, idx).sum())(x).dataSync());
    run();
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, idx]);
  });
});
