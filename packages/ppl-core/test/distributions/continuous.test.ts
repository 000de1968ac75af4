// Scalar continuous families against float64 closed forms (see spec.ts for what is checked).
import type * as tf from "@tensorflow/tfjs";
import { dist } from "ppl-core";
import { LOG_2PI, lgamma64, logBeta64 } from "./helpers.js";
import { describeFamily } from "./spec.js";

const normalLp = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;

describeFamily({
  name: "Normal",
  make: (loc, scale) => dist.Normal(loc!, scale!),
  ref: ([m, s], x) => normalLp(x, m!, s!),
  cases: [
    { params: [{ values: [0.5, -1], shape: [2] }, { values: [1.3], shape: [1] }], x: { values: [0.1, 2, -3, 0.4], shape: [2, 2] } },
    { params: [{ values: [0], shape: [] }, { values: [0.5, 2, 4], shape: [3, 1] }], x: { values: [-1, 1], shape: [2] } },
  ],
  scalar: [1.5, 2],
  normalise: { kind: "integrate", a: -20, b: 23 },
  mean: ([m]) => m!,
  variance: ([, s]) => s! ** 2,
});

describeFamily({
  name: "LogNormal",
  make: (loc, scale) => dist.LogNormal(loc!, scale!),
  ref: ([m, s], x) => normalLp(Math.log(x), m!, s!) - Math.log(x),
  cases: [
    { params: [{ values: [0.2, -0.5], shape: [2] }, { values: [0.7], shape: [] }], x: { values: [0.3, 1.7, 4, 0.05], shape: [2, 2] } },
  ],
  scalar: [0.3, 0.5],
  normalise: { kind: "integrate", a: 1e-9, b: 40, n: 40000 },
  mean: ([m, s]) => Math.exp(m! + s! ** 2 / 2),
  variance: ([m, s]) => (Math.exp(s! ** 2) - 1) * Math.exp(2 * m! + s! ** 2),
});

describeFamily({
  name: "HalfNormal",
  make: (scale) => dist.HalfNormal(scale!),
  ref: ([s], x) => (x < 0 ? -Infinity : Math.log(2) + normalLp(x, 0, s!)),
  cases: [
    { params: [{ values: [0.5, 1, 3], shape: [3] }], x: { values: [0.1, 2.5, 0.7], shape: [3] } },
    { params: [{ values: [0.8, 2], shape: [2, 1] }], x: { values: [0, 1, 4], shape: [3] } },
  ],
  scalar: [1.7],
  normalise: { kind: "integrate", a: 0, b: 20 },
  mean: ([s]) => s! * Math.sqrt(2 / Math.PI),
  variance: ([s]) => s! ** 2 * (1 - 2 / Math.PI),
});

describeFamily({
  name: "Uniform",
  make: (low, high) => dist.Uniform(low!, high!),
  ref: ([l, h], x) => (x >= l! && x < h! ? -Math.log(h! - l!) : -Infinity),
  cases: [
    { params: [{ values: [-1, 0.5], shape: [2] }, { values: [2, 0.75], shape: [2] }], x: { values: [0, 0.6, 1.9, 0.74], shape: [2, 2] } },
    { params: [{ values: [0], shape: [] }, { values: [1, 3], shape: [2, 1] }], x: { values: [0.2, 0.99, 0.5], shape: [3] } },
  ],
  scalar: [-2, 3],
  normalise: { kind: "integrate", a: -2, b: 3 - 1e-6, n: 1000 },
  mean: ([l, h]) => (l! + h!) / 2,
  variance: ([l, h]) => (h! - l!) ** 2 / 12,
});

describeFamily({
  name: "Beta",
  make: (c1, c0) => dist.Beta(c1!, c0!),
  ref: ([a, b], x) => (a! - 1) * Math.log(x) + (b! - 1) * Math.log1p(-x) - logBeta64(a!, b!),
  cases: [
    { params: [{ values: [0.5, 2, 7], shape: [3] }, { values: [1.5], shape: [1] }], x: { values: [0.1, 0.5, 0.93], shape: [3] } },
    { params: [{ values: [2.5], shape: [] }, { values: [0.8, 4], shape: [2, 1] }], x: { values: [0.02, 0.6], shape: [2] } },
  ],
  scalar: [2.5, 1.5],
  normalise: { kind: "integrate", a: 0, b: 1, n: 20000 },
  mean: ([a, b]) => a! / (a! + b!),
  variance: ([a, b]) => (a! * b!) / ((a! + b!) ** 2 * (a! + b! + 1)),
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "Gamma",
  make: (c, r) => dist.Gamma(c!, r!),
  ref: ([a, r], x) => a! * Math.log(r!) + (a! - 1) * Math.log(x) - r! * x - lgamma64(a!),
  cases: [
    { params: [{ values: [0.5, 2, 9], shape: [3] }, { values: [1.5], shape: [] }], x: { values: [0.1, 1.5, 6], shape: [3] } },
    { params: [{ values: [3], shape: [] }, { values: [0.4, 2], shape: [2, 1] }], x: { values: [0.3, 2.2, 9], shape: [3] } },
  ],
  scalar: [2.5, 0.7],
  normalise: { kind: "integrate", a: 0, b: 60, n: 60000 },
  mean: ([a, r]) => a! / r!,
  variance: ([a, r]) => a! / r! ** 2,
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "Exponential",
  make: (r) => dist.Exponential(r!),
  ref: ([r], x) => Math.log(r!) - r! * x,
  cases: [
    { params: [{ values: [0.5, 2, 9], shape: [3] }], x: { values: [0, 0.7, 0.05], shape: [3] } },
    { params: [{ values: [1.2, 0.3], shape: [2, 1] }], x: { values: [0.3, 2.2, 9], shape: [3] } },
  ],
  scalar: [1.3],
  normalise: { kind: "integrate", a: 0, b: 30 },
  mean: ([r]) => 1 / r!,
  variance: ([r]) => 1 / r! ** 2,
});

describeFamily({
  name: "StudentT",
  make: (df, loc, scale) => dist.StudentT(df!, loc as tf.Tensor, scale as tf.Tensor),
  ref: ([df, m, s], x) =>
    lgamma64((df! + 1) / 2) - lgamma64(df! / 2) - 0.5 * Math.log(df! * Math.PI) - Math.log(s!) -
    ((df! + 1) / 2) * Math.log1p(((x - m!) / s!) ** 2 / df!),
  cases: [
    { params: [{ values: [1, 3, 30], shape: [3] }, { values: [0.5], shape: [] }, { values: [2], shape: [1] }], x: { values: [-4, 0.5, 3], shape: [3] } },
    { params: [{ values: [4.5], shape: [] }, { values: [-1, 1], shape: [2, 1] }, { values: [0.3, 1, 2], shape: [3] }], x: { values: [0.1], shape: [1] } },
  ],
  scalar: [9, 0.5, 1.5],
  normalise: { kind: "integrate", a: -300, b: 300, n: 60000 },
  mean: ([, m]) => m!,
  variance: ([df, , s]) => (s! ** 2 * df!) / (df! - 2),
  lpTol: [5e-5, 5e-5],
});

describeFamily({
  name: "Laplace",
  make: (loc, scale) => dist.Laplace(loc!, scale!),
  ref: ([m, b], x) => -Math.abs(x - m!) / b! - Math.log(2 * b!),
  cases: [
    { params: [{ values: [0.5, -1], shape: [2] }, { values: [1.3], shape: [] }], x: { values: [0.1, 2, -3, 0.4], shape: [2, 2] } },
    { params: [{ values: [0], shape: [] }, { values: [0.5, 2, 4], shape: [3, 1] }], x: { values: [-1, 1.5], shape: [2] } },
  ],
  scalar: [-0.5, 1.2],
  normalise: { kind: "integrate", a: -40, b: 40, n: 80000 },
  mean: ([m]) => m!,
  variance: ([, b]) => 2 * b! ** 2,
});
