// Multinomial and OneHotCategorical: log-pmfs against float64 closed forms,
// their enumerated supports (every value once, pmf summing to 1), seeded
// moments, gradients against central differences and validation messages
// (enumerated sites under TraceEnumELBO: ppl-enum's multinomial-onehot-enum test).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, PPLShapeError, PPLSupportError, dist } from "ppl-core";
import { checkGradients, expectClose, expectMoments, lgamma64, thrown, vals } from "./helpers.js";

// torch's Multinomial: log of the probs clamped to [eps, 1 - eps] (clamp_probs, eps = 2^-23 in float32)
const clampProb = (p: number) => Math.min(1 - 2 ** -23, Math.max(2 ** -23, p));
const multinomialLogPmf = (n: number, p: number[], x: number[]) =>
  lgamma64(n + 1) + x.reduce((s, xk, k) => s - lgamma64(xk + 1) + (xk === 0 ? 0 : xk * Math.log(clampProb(p[k]!))), 0);
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};
const softmax = (ls: number[]) => {
  const z = lse(ls);
  return ls.map((l) => Math.exp(l - z));
};

describe("Multinomial", () => {
  it("logProb matches n! / Π x_k! Π p_k^x_k at several points and batch shapes (probs and logits)", () => {
    const P = [[0.2, 0.3, 0.5], [0.6, 0.4, 0]];
    const xs = [[2, 3, 5], [4, 6, 0], [10, 0, 0]];
    tf.tidy(() => {
      const lp = dist.Multinomial(10, tf.tensor2d(P)).logProb(tf.tensor3d(xs.map((x) => [x]), [3, 1, 3]));
      expect(lp.shape).toEqual([3, 2]);
      expectClose(vals(lp), xs.flatMap((x) => P.map((p) => multinomialLogPmf(10, p, x))), 2e-5, 2e-5, "probs");
    });
    const L = [0.3, -1, 2];
    tf.tidy(() => {
      const lp = dist.Multinomial(10, { logits: tf.tensor1d(L) }).logProb(tf.tensor2d(xs));
      expectClose(vals(lp), xs.map((x) => multinomialLogPmf(10, softmax(L), x)), 2e-5, 2e-5, "logits");
    });
    // an impossible category with no counts contributes 0; with counts, log eps per count (torch clamps probs to
    // [eps, 1 - eps] before the log, eps = 2^-23): log 3! + 2 log 0.5 + log eps for [1, 1, 1]
    tf.tidy(() => expectClose(vals(dist.Multinomial(3, [0.5, 0.5, 0]).logProb(tf.tensor2d([[1, 2, 0], [1, 1, 1]]))), [Math.log(3 / 8), Math.log(6 / 4) - 23 * Math.LN2], 1e-5, 1e-6));
  });

  it("enumerates its support: C(n + K - 1, K - 1) distinct count vectors summing to n, whose pmf sums to 1", () => {
    const d = dist.Multinomial(4, tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]));
    expect(d.hasEnumerateSupport).toBe(true);
    expect(d.supportSize()).toBe(35);
    tf.tidy(() => {
      const s = d.enumerateSupport(false);
      expect(s.shape).toEqual([35, 1, 4]);
      expect(d.enumerateSupport(true).shape).toEqual([35, 2, 4]);
      expect(d.enumerateSupportAt(-3).shape).toEqual([35, 1, 1, 4]);
      const rows = (s.reshape([35, 4]).arraySync() as number[][]);
      expect(new Set(rows.map((r) => r.join(","))).size).toBe(35);
      expect(rows.every((r) => r.reduce((a, b) => a + b, 0) === 4 && r.every((x) => x >= 0 && Number.isInteger(x)))).toBe(true);
      const total = d.logProb(s).exp().sum(0);
      expectClose(vals(total), [1, 1], 1e-5, 1e-5, "Σ pmf");
    });
  });

  it("seeded samples: counts sum to n, moments n p and n p (1 - p), reproducible", () => {
    const p = [0.1, 0.3, 0.6];
    const d = dist.Multinomial(20, p);
    const x = d.sample([4000], 99);
    expect(x.shape).toEqual([4000, 3]);
    const rows = x.arraySync() as number[][];
    expect(rows.every((r) => r[0]! + r[1]! + r[2]! === 20)).toBe(true);
    for (let k = 0; k < 3; k++) expectMoments(rows.map((r) => r[k]!), 20 * p[k]!, 20 * p[k]! * (1 - p[k]!), `category ${k}`);
    expect(vals(d.sample([5], 99))).toEqual(vals(x).slice(0, 15));
    tf.tidy(() => {
      expectClose(vals(d.mean), p.map((pk) => 20 * pk));
      expectClose(vals(d.variance), p.map((pk) => 20 * pk * (1 - pk)));
    });
    tf.dispose(x);
    tf.tidy(() => {
      expect(dist.Multinomial(5, tf.ones([2, 4]).div(4)).sample([3], 1).shape).toEqual([3, 2, 4]);
    });
  });

  it("gradients of logProb in the probs and the logits match central differences of the closed form", () => {
    const x = tf.tensor2d([[2, 3, 5], [1, 0, 9]]);
    const xs = [[2, 3, 5], [1, 0, 9]];
    checkGradients(
      (p) => dist.Multinomial(10, p!).logProb(x),
      ([p]) => xs.map((r) => multinomialLogPmf(10, p!.map((v) => v / p!.reduce((a, b) => a + b, 0)), r)),
      [{ values: [0.2, 0.3, 0.5], shape: [3] }],
      2e-3,
      "probs",
    );
    checkGradients(
      (l) => dist.Multinomial(10, { logits: l! }).logProb(x),
      ([l]) => xs.map((r) => multinomialLogPmf(10, softmax(l!), r)),
      [{ values: [0.3, -1, 2], shape: [3] }],
      2e-3,
      "logits",
    );
    x.dispose();
  });
});

describe("OneHotCategorical", () => {
  it("logProb is the selected category's log-probability; batch shapes broadcast", () => {
    const P = [[0.2, 0.3, 0.5], [0.7, 0.1, 0.2]];
    tf.tidy(() => {
      const lp = dist.OneHotCategorical(tf.tensor2d(P)).logProb(tf.tensor3d([[[0, 1, 0]], [[0, 0, 1]]]));
      expect(lp.shape).toEqual([2, 2]);
      expectClose(vals(lp), [Math.log(0.3), Math.log(0.1), Math.log(0.5), Math.log(0.2)], 1e-6, 1e-5);
    });
    checkGradients(
      (l) => dist.OneHotCategorical({ logits: l! }).logProb(tf.tensor2d([[1, 0, 0], [0, 0, 1]])),
      ([l]) => [Math.log(softmax(l!)[0]!), Math.log(softmax(l!)[2]!)],
      [{ values: [0.5, -1, 1], shape: [3] }],
      1e-3,
      "logits",
    );
  });

  it("enumerates the K unit vectors, and seeded samples are one-hot with mean p", () => {
    const d = dist.OneHotCategorical(tf.tensor2d([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]));
    expect(d.supportSize()).toBe(3);
    tf.tidy(() => {
      const s = d.enumerateSupport(false);
      expect(s.shape).toEqual([3, 1, 3]);
      expect(s.reshape([3, 3]).arraySync()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
      expect(d.enumerateSupport().shape).toEqual([3, 2, 3]);
      expectClose(vals(d.logProb(s).exp().sum(0)), [1, 1], 1e-6, 1e-6);
    });
    const x = d.sample([5000], 3);
    const rows = x.arraySync() as number[][][];
    expect(rows.every((r) => r.every((v) => v.reduce((a, b) => a + b, 0) === 1 && v.every((e) => e === 0 || e === 1)))).toBe(true);
    const p = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]];
    for (let b = 0; b < 2; b++) for (let k = 0; k < 3; k++) expectMoments(rows.map((r) => r[b]![k]!), p[b]![k]!, p[b]![k]! * (1 - p[b]![k]!), `[${b}, ${k}]`);
    x.dispose();
  });
});

describe("validation of Multinomial and OneHotCategorical", () => {
  it("every parameter constraint throws a PPL error naming the distribution and the parameter", () => {
    expect(thrown(() => dist.Multinomial(2.5, [0.5, 0.5]))).toBeInstanceOf(PPLConfigError);
    expect(() => dist.Multinomial(2.5, [0.5, 0.5])).toThrow(/^Multinomial: 'totalCount' must be a nonnegative integer \(a JS number, shared by the batch\), got 2.5/);
    expect(() => dist.Multinomial(-1, [0.5, 0.5])).toThrow(/^Multinomial: 'totalCount' must be a nonnegative integer/);
    expect(thrown(() => dist.Multinomial(3, [0, 0]))).toBeInstanceOf(PPLSupportError);
    expect(() => dist.Multinomial(3, [0, 0])).toThrow(/^Multinomial: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 0 is \[0, 0\]/);
    expect(() => dist.Multinomial(3, { logits: [0, NaN] })).toThrow(/^Multinomial: parameter 'logits' must be real, but element 1 is NaN/);
    expect(thrown(() => dist.Multinomial(3, 0.5))).toBeInstanceOf(PPLShapeError);
    expect(() => dist.Multinomial(3, 0.5)).toThrow(/^Multinomial: parameter 'probs' must have shape \[\.\.\., K\], got \[\]/);
    expect(() => dist.Multinomial(3, { probs: [0.5, 0.5], logits: [0, 0] } as never)).toThrow(/^Multinomial: give exactly one of 'probs' or 'logits'/);
    expect(() => dist.OneHotCategorical([0.5, NaN])).toThrow(/^OneHotCategorical: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 0 is \[0.5, NaN\]/);
    expect(() => dist.OneHotCategorical(0.5)).toThrow(/^OneHotCategorical: parameter 'probs' must have shape \[\.\.\., K\], got \[\]/);
  });

  it("the supports check values: counts summing to n, one-hot rows", () => {
    tf.tidy(() => {
      expect(vals(dist.Multinomial(3, [0.5, 0.5]).support.check(tf.tensor2d([[1, 2], [2, 2], [1.5, 1.5], [-1, 4]])))).toEqual([1, 0, 0, 0]);
      expect(vals(dist.OneHotCategorical([0.5, 0.5]).support.check(tf.tensor2d([[0, 1], [1, 1], [0, 0], [0.5, 0.5]])))).toEqual([1, 0, 0, 0]);
    });
  });
});
