// spreadOverSteps (stack-exec's shared transition at some steps): values, -Infinity entries kept
// (a 0/1 multiply would make NaN of them), and the gradient (the sum of dy over the present steps)
// against hand-written float64 loops.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { spreadOverSteps } from "../../src/contract/spread-steps.js";

describe("spreadOverSteps", () => {
  it("x at the present steps, 0 elsewhere; gradient = Σ over present steps of the weights", () => {
    const xv = [0.5, -Infinity, 2, -1.25, 3, 0];
    const present = [true, false, true, true, false];
    const x = tf.tensor(xv, [2, 3]);
    const out = tf.tidy(() => spreadOverSteps(x, present).arraySync() as number[][][]);
    present.forEach((p, t) => expect(out[t]!.flat()).toEqual(p ? xv : xv.map(() => 0)));
    const w = Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i + 1));
    const g = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => spreadOverSteps(a, present).mul(tf.tensor(w, [5, 2, 3])).sum())(x).dataSync()));
    const expected = xv.map((_, i) => present.reduce((acc, p, t) => acc + (p ? w[t * 6 + i]! : 0), 0));
    g.forEach((gi, i) => expect(gi).toBeCloseTo(expected[i]!, 5));
    x.dispose();
  });
});
