// bijectTo onto an interval with one infinite end (TruncatedNormal's support with
// low = -Infinity): y = b − exp(x), whose inverse is log(b − y) and whose
// log |dy/dx| is x; written out here, not read back from ppl.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { bijectTo, constraints, dist } from "ppl-core";

describe("bijectTo onto half-open intervals", () => {
  it("(−∞, b]: y = b − exp(x)", () => {
    const t = bijectTo(constraints.interval(-Infinity, 2));
    const x = tf.tensor([-1, 0, 1.5]);
    const y = t.forward(x);
    expect(Array.from(y.dataSync())).toEqual([2 - Math.exp(-1), 1, 2 - Math.exp(1.5)].map(Math.fround));
    const back = Array.from(t.inverse(y).dataSync());
    [-1, 0, 1.5].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 5));
    const ladj = Array.from(t.logAbsDetJacobian(x, y).dataSync());
    [-1, 0, 1.5].forEach((v, i) => expect(ladj[i]).toBeCloseTo(v, 5));
  });

  it("[a, ∞) and (−∞, ∞) as intervals", () => {
    const up = bijectTo(constraints.interval(1, Infinity));
    expect(up.forward(tf.scalar(0)).dataSync()[0]).toBeCloseTo(2, 6);
    const all = bijectTo(constraints.interval(-Infinity, Infinity));
    expect(all.forward(tf.scalar(-3.5)).dataSync()[0]).toBe(-3.5);
  });

  it("a TruncatedNormal with low = −∞ maps the real line into its support", () => {
    const d = dist.TruncatedNormal(0, 1, -Infinity, 0.5);
    const y = bijectTo(d.support).forward(tf.tensor([-4, 0, 4]));
    const vals = Array.from(y.dataSync());
    for (const v of vals) expect(Number.isFinite(v) && v < 0.5).toBe(true);
  });
});
