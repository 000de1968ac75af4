// splitRows (one read of a batch, a tensor per row) against the rows read in JS, and its
// gradient against the closed form: the gradient of Σ_i w_i · sum(row_i) is w_i in row i,
// 0 in a row nobody read.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { splitRows } from "ppl-core/internal";

describe("splitRows", () => {
  it("rows equal the batch's slices, and dtype survives", () => {
    tf.tidy(() => {
      const data = Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
      const rows = splitRows(tf.tensor(data, [4, 3, 2]));
      expect(rows.length).toBe(4);
      rows.forEach((r, i) => {
        expect(r.shape).toEqual([3, 2]);
        expect(Array.from(r.dataSync())).toEqual(data.slice(i * 6, (i + 1) * 6));
      });
      const ints = splitRows(tf.tensor([1, 2, 3, 4], [2, 2], "int32"));
      expect(ints[1]!.dtype).toBe("int32");
      expect(Array.from(ints[1]!.dataSync())).toEqual([3, 4]);
    });
  });

  it("gradient: each read row gets its weight, an unread row zero; a single row works too", () => {
    const x = tf.tensor(Array.from({ length: 12 }, (_, i) => i), [3, 2, 2]);
    const g = tf.grad((y: tf.Tensor) => {
      const rows = splitRows(y);
      return rows[0]!.sum().mul(2).add(rows[2]!.mul(tf.tensor2d([[1, 2], [3, 4]])).sum());
    })(x);
    expect(Array.from(g.dataSync())).toEqual([2, 2, 2, 2, 0, 0, 0, 0, 1, 2, 3, 4]);
    const one = tf.grad((y: tf.Tensor) => splitRows(y)[0]!.mul(3).sum())(tf.ones([1, 2]));
    expect(Array.from(one.dataSync())).toEqual([3, 3]);
    tf.dispose([x, g, one]);
  });
});
