// The vindex fast path for enumerated (arange) indices agrees with the general gather path.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, vindex } from "ppl-core";
import { markArangeIndex, withStepCache } from "ppl-core/internal";

const cases: [string, number[], number, number][] = [
  // name, x shape, index rank (enum dim = -rank), event position of the index among the indexed dims
  ["row of a matrix, index at dim -3", [3, 4], 3, 0],
  ["column of a matrix, index at dim -2", [4, 3], 2, 1],
  ["vector, index at dim -1", [3], 1, 0],
  ["batched matrix, index left of the batch", [2, 3, 4], 3, 0],
];

describe("vindex with an arange index", () => {
  for (const [name, shape, rank, pos] of cases) {
    it(name, () => {
      tf.tidy(() => {
        const n = shape[shape.length - (shape.length === 3 ? 2 : shape.length) + pos]!;
        const x = tf.randomNormal(shape, 0, 1, "float32", 3);
        const idxShape = [n, ...new Array<number>(rank - 1).fill(1)];
        const plain = tf.range(0, n, 1, "int32").reshape(idxShape);
        const tagged = tf.range(0, n, 1, "int32").reshape(idxShape);
        markArangeIndex(tagged);
        const indexed = shape.length === 3 ? 2 : shape.length;
        const args = (i: tf.Tensor) => Array.from({ length: indexed }, (_, j) => (j === pos ? i : ":" as const));
        const slow = vindex(x, "...", ...args(plain));
        const fast = vindex(x, "...", ...args(tagged));
        expect(fast.shape).toEqual(slow.shape);
        expect(Array.from(fast.dataSync())).toEqual(Array.from(slow.dataSync()));
        const g = (i: tf.Tensor) => tf.grad((y: tf.Tensor) => vindex(y, "...", ...args(i)).square().sum())(x);
        expect(Array.from(g(tagged).dataSync())).toEqual(Array.from(g(plain).dataSync()));
      });
    });
  }
});

describe("vindex's step cache for enumeration aranges", () => {
  it("returns the same view for the same source and arange within a loss call, recomputes after dispose, and keeps nothing outside a call", () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const idx = tf.range(0, 3, 1, "int32").reshape([3, 1]);
    markArangeIndex(idx);
    withStepCache(() => {
      const a = vindex(x, "...", idx, ":");
      expect(vindex(x, "...", idx, ":")).toBe(a);
      a.dispose();
      const b = vindex(x, "...", idx, ":");
      expect(b.isDisposed).toBe(false);
      expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      b.dispose();
    });
    const c = vindex(x, "...", idx, ":");
    expect(vindex(x, "...", idx, ":")).not.toBe(c);
    // a call opened inside the tape: the gradient flows through the shared view to x, once per use
    const g = tf.grad((y: tf.Tensor) => withStepCache(() => vindex(y, "...", idx, ":").sum().add(vindex(y, "...", idx, ":").sum())))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 2, 2, 2, 2, 2]);
    tf.dispose([x, idx, c, g]);
  });
});

describe("the arange tag lives on the data, so a model's view of an enumerated value keeps it", () => {
  it("x.squeeze(-1) of a cached support (hmm.py's probs_y[x.squeeze(-1)]) indexes by a reshape, the same view every time", () => {
    tf.tidy(() => {
      const K = 3;
      const support = dist.Categorical({ logits: tf.zeros([K]) }).enumerateSupportAt(-3);
      const again = dist.Categorical({ logits: tf.ones([2, K]) }).enumerateSupportAt(-3);
      expect(again).toBe(support);
      const probsY = tf.tensor2d([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]);
      const [a, b] = withStepCache(() => [vindex(probsY, support.squeeze([2])), vindex(probsY, support.squeeze([2]))]);
      expect(b).toBe(a);
      // the same values as a gather with an untagged index
      const plain = vindex(probsY, tf.tensor(Int32Array.from([0, 1, 2]), [K, 1], "int32"));
      expect(a.shape).toEqual([K, 1, 2]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(plain.dataSync()));
    });
  });
});
