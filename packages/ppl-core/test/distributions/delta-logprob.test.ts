// Delta.logProb computes its match in JS: 0 where every event element equals
// the point, -Infinity elsewhere (NaN never matches), plus logDensity, whose
// gradient still flows.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { vals } from "../helpers.js";

describe("Delta.logProb", () => {
  it("is 0 at the point and -Infinity elsewhere, per event, with broadcasting", () => {
    tf.tidy(() => {
      const d = dist.Delta(tf.tensor([[1, 2], [3, 4]]), { eventDim: 1 });
      expect(vals(d.logProb(tf.tensor([[1, 2], [3, 5]])))).toEqual([0, -Infinity]);
      // a value with an extra sample dim
      const lp = d.logProb(tf.tensor([[[1, 2], [3, 4]], [[1, 0], [3, 4]]]));
      expect(lp.shape).toEqual([2, 2]);
      expect(vals(lp)).toEqual([0, 0, -Infinity, 0]);
      expect(vals(dist.Delta(tf.tensor([NaN, 1])).logProb(tf.tensor([NaN, 1])))).toEqual([-Infinity, 0]);
      const same = tf.tensor([0.5, -2]);
      expect(vals(dist.Delta(same).logProb(same))).toEqual([0, 0]);
    });
  });

  it("adds logDensity, and its gradient flows to it", () => {
    const ld = tf.tensor([0.3, -0.2]);
    const g = tf.grad((l: tf.Tensor) => dist.Delta(tf.tensor([1, 2]), { logDensity: l }).logProb(tf.tensor([1, 2])).mul(tf.tensor([2, 3])).sum())(ld);
    expect(vals(g)).toEqual([2, 3]);
    tf.tidy(() => {
      const lp = dist.Delta(tf.tensor([1, 2]), { logDensity: ld }).logProb(tf.tensor([1, 7]));
      expect(vals(lp)).toEqual([Math.fround(0.3), -Infinity]);
      expect(dist.Delta(tf.tensor([1, 2]), { logDensity: ld }).expand([3, 2]).logProb(tf.tensor([1, 2])).shape).toEqual([3, 2]);
    });
    tf.dispose([ld, g]);
  });
});
