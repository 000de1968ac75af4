// The session-5 continuous families against float64 closed forms (spec.ts: log-density at
// several points and batch shapes, normalisation, seeded moments, gradients by central
// differences). Formulas: the densities as scipy.stats documents them (chi2, invgamma,
// weibull_min, gumbel_r, logistic, truncnorm), with the truncated normal's normaliser and
// moments by quadrature (reference.ts) rather than by erf.
import * as tf from "@tensorflow/tfjs";
import { dist } from "ppl-core";
import { describe, expect, it } from "vitest";
import { LOG_2PI, checkGradients, expectClose, lgamma64, vals } from "./helpers.js";
import { EULER_GAMMA, normalMass64, truncatedMoments64 } from "./reference.js";
import { describeFamily } from "./spec.js";

describeFamily({
  name: "Chi2",
  make: (df) => dist.Chi2(df!),
  // x^(k/2-1) e^(-x/2) / (2^(k/2) Gamma(k/2))
  ref: ([k], x) => (k! / 2 - 1) * Math.log(x) - x / 2 - (k! / 2) * Math.log(2) - lgamma64(k! / 2),
  cases: [
    { params: [{ values: [1, 2.5, 7], shape: [3] }], x: { values: [0.2, 1.5, 9], shape: [3] } },
    { params: [{ values: [3, 0.7], shape: [2, 1] }], x: { values: [0.05, 2, 11], shape: [3] } },
  ],
  scalar: [5],
  normalise: { kind: "integrate", a: 0, b: 60, n: 60000 },
  mean: ([k]) => k!,
  variance: ([k]) => 2 * k!,
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "InverseGamma",
  make: (a, b) => dist.InverseGamma(a!, b!),
  // b^a x^(-a-1) e^(-b/x) / Gamma(a)
  ref: ([a, b], x) => a! * Math.log(b!) - lgamma64(a!) - (a! + 1) * Math.log(x) - b! / x,
  cases: [
    { params: [{ values: [0.5, 3, 8], shape: [3] }, { values: [1.5], shape: [] }], x: { values: [0.2, 1, 4], shape: [3] } },
    { params: [{ values: [2.5], shape: [] }, { values: [0.4, 3], shape: [2, 1] }], x: { values: [0.1, 0.9, 6], shape: [3] } },
  ],
  scalar: [6, 2],
  normalise: { kind: "integrate", a: 1e-6, b: 40, n: 80000 },
  mean: ([a, b]) => b! / (a! - 1),
  variance: ([a, b]) => b! ** 2 / ((a! - 1) ** 2 * (a! - 2)),
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "Weibull",
  make: (scale, k) => dist.Weibull(scale!, k!),
  // (k / l) (x / l)^(k-1) e^(-(x/l)^k)
  ref: ([l, k], x) => Math.log(k! / l!) + (k! - 1) * Math.log(x / l!) - (x / l!) ** k!,
  cases: [
    { params: [{ values: [0.5, 2, 5], shape: [3] }, { values: [1.7], shape: [] }], x: { values: [0.3, 1, 6], shape: [3] } },
    { params: [{ values: [1.2], shape: [] }, { values: [0.6, 3], shape: [2, 1] }], x: { values: [0.05, 0.8, 2], shape: [3] } },
  ],
  scalar: [2, 1.5],
  normalise: { kind: "integrate", a: 0, b: 30, n: 60000 },
  mean: ([l, k]) => l! * Math.exp(lgamma64(1 + 1 / k!)),
  variance: ([l, k]) => l! ** 2 * (Math.exp(lgamma64(1 + 2 / k!)) - Math.exp(2 * lgamma64(1 + 1 / k!))),
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "Gumbel",
  make: (loc, scale) => dist.Gumbel(loc!, scale!),
  // z = (x - m) / s: exp(-(z + e^-z)) / s
  ref: ([m, s], x) => {
    const z = (x - m!) / s!;
    return -(z + Math.exp(-z)) - Math.log(s!);
  },
  cases: [
    { params: [{ values: [0.5, -1], shape: [2] }, { values: [1.3], shape: [] }], x: { values: [0.1, 2, -3, 0.4], shape: [2, 2] } },
    { params: [{ values: [0], shape: [] }, { values: [0.5, 2, 4], shape: [3, 1] }], x: { values: [-1, 1.5], shape: [2] } },
  ],
  scalar: [1, 2],
  normalise: { kind: "integrate", a: -15, b: 80, n: 60000 },
  mean: ([m, s]) => m! + s! * EULER_GAMMA,
  variance: ([, s]) => (Math.PI * s!) ** 2 / 6,
});

describeFamily({
  name: "Logistic",
  make: (loc, scale) => dist.Logistic(loc!, scale!),
  // z = (x - m) / s: e^-z / (s (1 + e^-z)^2)
  ref: ([m, s], x) => {
    const z = (x - m!) / s!;
    return -z - 2 * Math.log1p(Math.exp(-z)) - Math.log(s!);
  },
  cases: [
    { params: [{ values: [0.5, -1], shape: [2] }, { values: [1.3], shape: [] }], x: { values: [0.1, 2, -30, 0.4], shape: [2, 2] } },
    { params: [{ values: [0], shape: [] }, { values: [0.5, 2, 4], shape: [3, 1] }], x: { values: [-1, 25], shape: [2] } },
  ],
  scalar: [-0.5, 1.5],
  normalise: { kind: "integrate", a: -60, b: 60, n: 60000 },
  mean: ([m]) => m!,
  variance: ([, s]) => (Math.PI * s!) ** 2 / 3,
});

const truncLp = (m: number, s: number, lo: number, hi: number, x: number): number => {
  if (x < lo || x > hi) return -Infinity;
  const z = (x - m) / s;
  return -0.5 * z * z - Math.log(s) - 0.5 * LOG_2PI - Math.log(normalMass64((lo - m) / s, (hi - m) / s));
};

describeFamily({
  name: "TruncatedNormal",
  make: (loc, scale, low, high) => dist.TruncatedNormal(loc!, scale!, low!, high!),
  ref: ([m, s, lo, hi], x) => truncLp(m!, s!, lo!, hi!, x),
  cases: [
    {
      params: [{ values: [0.5, -1], shape: [2] }, { values: [1.3], shape: [] }, { values: [-1], shape: [] }, { values: [2, 3], shape: [2] }],
      x: { values: [0.1, 1.9, -0.5, 2.5], shape: [2, 2] },
    },
    {
      // a far upper tail: the window starts 6 standard deviations above the mean
      params: [{ values: [0], shape: [] }, { values: [0.5, 1], shape: [2, 1] }, { values: [3, 6], shape: [2, 1] }, { values: [8], shape: [] }],
      x: { values: [6.2, 7], shape: [2] },
    },
  ],
  scalar: [1, 2, -0.5, 4],
  normalise: { kind: "integrate", a: -0.5, b: 4, n: 20000 },
  mean: ([m, s, lo, hi]) => m! + s! * truncatedMoments64((lo! - m!) / s!, (hi! - m!) / s!).mean,
  variance: ([m, s, lo, hi]) => s! ** 2 * truncatedMoments64((lo! - m!) / s!, (hi! - m!) / s!).variance,
  lpTol: [5e-5, 5e-5],
});

describe("TruncatedNormal moments and entropy", () => {
  // element 0 two-sided, element 1 in the far upper tail
  const args = [
    { values: [0.5, 0], shape: [2] },
    { values: [1.3, 1], shape: [2] },
    { values: [-1, 6], shape: [2] },
    { values: [2, 9], shape: [2] },
  ];
  const ref = (pick: (m: number, s: number, t: ReturnType<typeof truncatedMoments64>) => number) => (vs: number[][]) =>
    [0, 1].map((j) => {
      const [m, s, lo, hi] = vs.map((v) => v[j]!) as [number, number, number, number];
      return pick(m, s, truncatedMoments64((lo - m) / s, (hi - m) / s));
    });
  const make = (ps: tf.Tensor[]) => dist.TruncatedNormal(ps[0]!, ps[1]!, ps[2]!, ps[3]!);
  it("mean, variance and entropy match quadrature and have its finite-difference gradients", () => {
    checkGradients((...ps) => make(ps).mean, ref((m, s, t) => m + s * t.mean), args, 2e-3, "TruncatedNormal.mean");
    checkGradients((...ps) => make(ps).variance, ref((_m, s, t) => s * s * t.variance), args, 2e-3, "TruncatedNormal.variance");
    checkGradients((...ps) => make(ps).entropy(), ref((_m, s, t) => t.entropy + Math.log(s)), args, 2e-3, "TruncatedNormal.entropy");
    tf.tidy(() => {
      const d = make(args.map((a) => tf.tensor(a.values, a.shape)));
      const vs = args.map((a) => a.values);
      expectClose(vals(d.mean), ref((m, s, t) => m + s * t.mean)(vs), 1e-5, 1e-5, "mean");
      expectClose(vals(d.variance), ref((_m, s, t) => s * s * t.variance)(vs), 1e-5, 1e-4, "variance");
    });
  });
  it("an infinite bound gives the one-sided moments and finite gradients", () => {
    const low = tf.scalar(-Infinity);
    const high = tf.scalar(0.5);
    const [g, mean] = tf.tidy(() => {
      const f = (loc: tf.Tensor, scale: tf.Tensor) => dist.TruncatedNormal(loc, scale, low, high).mean;
      const grads = tf.grads((l: tf.Tensor, s: tf.Tensor) => f(l, s))([tf.scalar(0), tf.scalar(1)]);
      return [grads.map((t) => vals(t)[0]!), vals(f(tf.scalar(0), tf.scalar(1)))[0]!];
    });
    // the mean of a standard normal below 0.5: -phi(0.5) / Phi(0.5)
    expect(mean).toBeCloseTo(truncatedMoments64(-Infinity, 0.5).mean, 5);
    expect(g.every(Number.isFinite)).toBe(true);
    tf.dispose([low, high]);
  });
});
