// The fused Normal log-density op against dist.Normal's tfjs form: values
// and gradients in all three inputs, with broadcasting.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { normalLogProb } from "../src/enum/normal-logprob.js";

describe("normalLogProb (fused)", () => {
  it("matches Normal.logProb and its gradients under broadcasting", () => {
    const x = tf.randomNormal([4], 0, 2, "float32", 1);
    const m = tf.randomNormal([3, 1, 1], 0, 1, "float32", 2);
    const s = tf.randomUniform([3, 1, 1], 0.5, 2, "float32", 3);
    const out = [3, 2, 4];
    const ref = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.broadcastTo(dist.Normal(b, c).logProb(a), out);
    const w = tf.randomNormal(out, 0, 1, "float32", 4);
    const fused = normalLogProb(x, m, s, out);
    expect(fused.shape).toEqual(out);
    const close = (p: tf.Tensor, q: tf.Tensor) => {
      const a = p.dataSync();
      const b = q.dataSync();
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[i]!)));
    };
    close(fused, ref(x, m, s));
    const gf = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => normalLogProb(a, b, c, out).mul(w).sum())([x, m, s]);
    const gr = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => ref(a, b, c).mul(w).sum())([x, m, s]);
    gf.forEach((g, i) => close(g, gr[i]!));
    tf.dispose([x, m, s, w, fused, ...gf, ...gr]);
  });
});
