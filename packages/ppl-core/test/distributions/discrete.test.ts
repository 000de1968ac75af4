// Discrete families: pmfs against float64 closed forms, sums to 1 over the
// support, seeded moments, gradients, and enumerateSupport shapes.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, dist } from "ppl-core";
import { checkGradients, expectClose, lgamma64, thrown, vals } from "./helpers.js";
import { describeFamily } from "./spec.js";

const logChoose = (n: number, k: number) => lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1);
const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

describeFamily({
  name: "Bernoulli (probs)",
  make: (p) => dist.Bernoulli(p!),
  ref: ([p], x) => (x === 1 ? Math.log(p!) : Math.log1p(-p!)),
  cases: [
    { params: [{ values: [0.2, 0.5, 0.9], shape: [3] }], x: { values: [1, 0, 0], shape: [3] } },
    { params: [{ values: [0.3, 0.7], shape: [2, 1] }], x: { values: [0, 1, 1], shape: [3] } },
  ],
  scalar: [0.3],
  normalise: { kind: "sum", a: 0, b: 1 },
  mean: ([p]) => p!,
  variance: ([p]) => p! * (1 - p!),
});

describeFamily({
  name: "Bernoulli (logits)",
  make: (l) => dist.Bernoulli({ logits: l! }),
  ref: ([l], x) => (x === 1 ? Math.log(sigmoid(l!)) : Math.log1p(-sigmoid(l!))),
  cases: [{ params: [{ values: [-2, 0.1, 3], shape: [3] }], x: { values: [1, 0, 0], shape: [3] } }],
  scalar: [-0.7],
  normalise: { kind: "sum", a: 0, b: 1 },
  mean: ([l]) => sigmoid(l!),
  variance: ([l]) => sigmoid(l!) * (1 - sigmoid(l!)),
});

describeFamily({
  name: "Poisson",
  make: (r) => dist.Poisson(r!),
  ref: ([r], k) => k * Math.log(r!) - r! - lgamma64(k + 1),
  cases: [
    { params: [{ values: [0.5, 3, 40], shape: [3] }], x: { values: [0, 2, 37], shape: [3] } },
    { params: [{ values: [1.5, 12], shape: [2, 1] }], x: { values: [0, 1, 9], shape: [3] } },
  ],
  scalar: [4.5],
  normalise: { kind: "sum", a: 0, b: 60 },
  mean: ([r]) => r!,
  variance: ([r]) => r!,
  lpTol: [1e-4, 2e-5],
});

describeFamily({
  name: "Poisson (large rate: transformed rejection)",
  make: (r) => dist.Poisson(r!),
  ref: ([r], k) => k * Math.log(r!) - r! - lgamma64(k + 1),
  cases: [{ params: [{ values: [25, 150], shape: [2] }], x: { values: [20, 160], shape: [2] } }],
  scalar: [75],
  normalise: { kind: "sum", a: 0, b: 200 },
  mean: ([r]) => r!,
  variance: ([r]) => r!,
  lpTol: [5e-4, 2e-5],
});

describeFamily({
  name: "Binomial (probs)",
  make: (n, p) => dist.Binomial(n!, p!),
  ref: ([n, p], k) => logChoose(n!, k) + k * Math.log(p!) + (n! - k) * Math.log1p(-p!),
  cases: [
    { params: [{ values: [10], shape: [] }, { values: [0.1, 0.5, 0.8], shape: [3] }], x: { values: [0, 5, 10], shape: [3] } },
    { params: [{ values: [4, 20], shape: [2, 1] }, { values: [0.3], shape: [1] }], x: { values: [1, 3, 4], shape: [3] } },
  ],
  scalar: [12, 0.35],
  normalise: { kind: "sum", a: 0, b: 12 },
  mean: ([n, p]) => n! * p!,
  variance: ([n, p]) => n! * p! * (1 - p!),
  noGrad: [0],
  lpTol: [1e-4, 2e-5],
});

describeFamily({
  name: "Binomial (logits, large count: transformed rejection)",
  make: (n, l) => dist.Binomial(n!, { logits: l! }),
  ref: ([n, l], k) => logChoose(n!, k) + k * Math.log(sigmoid(l!)) + (n! - k) * Math.log1p(-sigmoid(l!)),
  cases: [{ params: [{ values: [200], shape: [] }, { values: [-1.5, 0.2, 2.5], shape: [3] }], x: { values: [30, 110, 180], shape: [3] } }],
  scalar: [300, 0.4],
  normalise: { kind: "sum", a: 0, b: 300 },
  mean: ([n, l]) => n! * sigmoid(l!),
  variance: ([n, l]) => n! * sigmoid(l!) * (1 - sigmoid(l!)),
  noGrad: [0],
  lpTol: [1e-3, 2e-5],
});

describe("Categorical", () => {
  const logits = [0.1, -1, 2, 0.5];
  const lse = Math.log(logits.reduce((a, l) => a + Math.exp(l), 0));

  it("the pmf sums to 1 over enumerateSupport, and probs/logits agree", () => {
    tf.tidy(() => {
      const d = dist.Categorical({ logits: tf.tensor1d(logits) });
      const lp = vals(d.logProb(d.enumerateSupport()));
      expectClose(lp, logits.map((l) => l - lse), 1e-6);
      expect(lp.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 6);
      const byProbs = dist.Categorical(tf.tensor1d(logits.map((l) => Math.exp(l - lse))));
      expectClose(vals(byProbs.logProb(tf.tensor1d([0, 1, 2, 3], "int32"))), lp, 1e-6);
    });
  });

  it("gradients of logProb in the logits and the probs match central differences", () => {
    const x = tf.tensor1d([2, 0, 3], "int32");
    checkGradients(
      (l) => dist.Categorical({ logits: l }).logProb(x),
      ([l]) => {
        const z = Math.log(l!.reduce((a, v) => a + Math.exp(v), 0));
        return [2, 0, 3].map((k) => l![k]! - z);
      },
      [{ values: logits, shape: [4] }],
    );
    const p = [0.1, 0.2, 0.3, 0.4];
    // probs are normalised as torch does (log p_k - log Σ p), so the gradient has the -1/Σp term
    checkGradients(
      (q) => dist.Categorical(q).logProb(x),
      ([q]) => {
        const s = q!.reduce((a, b) => a + b, 0);
        return [2, 0, 3].map((k) => Math.log(q![k]! / s));
      },
      [{ values: p, shape: [4] }],
    );
    x.dispose();
  });
});

describe("enumerateSupport", () => {
  it("Bernoulli lists 0 and 1 with a 1 per batch dim, or expanded to the batch", () => {
    const d = dist.Bernoulli(tf.tensor2d([[0.2, 0.3, 0.4], [0.5, 0.6, 0.7]]));
    expect(d.hasEnumerateSupport).toBe(true);
    const s = d.enumerateSupport(false);
    expect(s.shape).toEqual([2, 1, 1]);
    expect(vals(s)).toEqual([0, 1]);
    const e = d.enumerateSupport(true);
    expect(e.shape).toEqual([2, 2, 3]);
    // the pmf over the enumerated support sums to one per batch element
    const total = tf.tidy(() => vals(d.logProb(e).exp().sum(0)));
    expectClose(total, [1, 1, 1, 1, 1, 1], 1e-6);
  });

  it("Binomial with one totalCount lists 0..n; the pmf over it sums to 1", () => {
    const d = dist.Binomial(5, tf.tensor1d([0.1, 0.6]));
    expect(d.hasEnumerateSupport).toBe(true);
    expect(vals(d.enumerateSupport(false))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(d.enumerateSupport(false).shape).toEqual([6, 1]);
    const e = d.enumerateSupport();
    expect(e.shape).toEqual([6, 2]);
    expectClose(tf.tidy(() => vals(d.logProb(e).exp().sum(0))), [1, 1], 1e-5);
  });

  it("Binomial with totalCount varying across the batch refuses to enumerate, saying why", () => {
    const d = dist.Binomial(tf.tensor1d([3, 4]), 0.5);
    expect(d.hasEnumerateSupport).toBe(false);
    const err = thrown(() => d.enumerateSupport());
    expect(err).toBeInstanceOf(PPLConfigError);
    expect(err.message).toMatch(/Binomial\.enumerateSupport: totalCount differs across the batch/);
  });

  it("Poisson's support is infinite: no enumeration", () => {
    expect(dist.Poisson(2).hasEnumerateSupport).toBe(false);
    expect(() => dist.Poisson(2).enumerateSupport()).toThrow(/Poisson has no finite support/);
  });
});

describe("discrete edge cases", () => {
  it("probs of exactly 0 and 1 are clamped to [eps, 1 - eps] before the log, as torch's clamp_probs (eps = 2^-23)", () => {
    const eps = 2 ** -23;
    const b = dist.Bernoulli(tf.tensor1d([0, 1]));
    expectClose(vals(b.logProb(tf.tensor1d([0, 1]))), [Math.log1p(-eps), Math.log1p(-eps)], 1e-7, 0);
    expectClose(vals(b.logProb(tf.tensor1d([1, 0]))), [Math.log(eps), Math.log(eps)], 1e-6);
    const bin = dist.Binomial(3, tf.tensor1d([0, 1]));
    // lgamma in float32 leaves ~1 ulp of log C(3, k)
    expectClose(vals(bin.logProb(tf.tensor1d([0, 3]))), [3 * Math.log1p(-eps), 3 * Math.log1p(-eps)], 1e-6);
    expectClose(vals(bin.logProb(tf.tensor1d([1, 2]))), [Math.log(3) + Math.log(eps), Math.log(3) + Math.log(eps)], 1e-6);
  });

  it("the gradient of a Bernoulli log-probability is finite at probs 0 and 1 where the outcome is certain", () => {
    const g = tf.grad((p: tf.Tensor) => dist.Bernoulli(p).logProb(tf.tensor1d([0, 1])).sum())(tf.tensor1d([0, 1]));
    expect(vals(g).every(Number.isFinite)).toBe(true);
  });

  it("Binomial draws stay in 0..n and Poisson draws are nonnegative integers", () => {
    const x = vals(dist.Binomial(tf.tensor1d([3, 50, 1000]), tf.tensor1d([0.9, 0.02, 0.5])).sample([2000], 5));
    const n = [3, 50, 1000];
    x.forEach((v, i) => {
      expect(Number.isInteger(v)).toBe(true);
      expect(v >= 0 && v <= n[i % 3]!).toBe(true);
    });
    expect(vals(dist.Poisson(tf.tensor1d([0.01, 7, 300])).sample([2000], 6)).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });

  it("Binomial draws by transformed rejection follow the pmf (frequencies within 4 sigma)", () => {
    const n = 60;
    const p = 0.45;
    const N = 20000;
    const x = vals(dist.Binomial(n, p).sample([N], 77));
    for (const k of [20, 25, 27, 30, 35]) {
      const pk = Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
      const freq = x.filter((v) => v === k).length / N;
      expect(Math.abs(freq - pk)).toBeLessThan(4 * Math.sqrt((pk * (1 - pk)) / N));
    }
  });
});
