// entropy(), cdf() and icdf() of the continuous families. Truths, all float64 and
// independent of ppl-core: entropy as -integral p log p of the density formula (trapezoid,
// or over the quantile scale for the heavy tails), cdf as the closed forms scipy.stats
// documents (the normal cdf by quadrature, reference.ts), icdf through the closed-form
// cdf (cdf_ref(icdf(q)) = q) and, for gradients, by bisection of cdf_ref.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type Distribution, dist } from "ppl-core";
import { LOG_2PI, checkGradients, expectClose, lgamma64, logBeta64, vals } from "./helpers.js";
import { besselI64, ndtr64, normalMass64 } from "./reference.js";

type P = number[];
interface Case {
  name: string;
  make: (...ps: tf.Tensor[]) => Distribution;
  /** Two elements per argument (batch shape [2]). */
  params: number[][];
  /** log-density of one element's arguments (curried: normalisers are computed once). */
  logpdf: (p: P) => (x: number) => number;
  /** Where the density lives, for the entropy integral; "quantile" integrates over u in (0, 1) instead. */
  range: (p: P) => [number, number] | "quantile";
  cdf?: (p: P, x: number) => number;
  /** Three points per element, inside the support. */
  xs?: (p: P) => number[];
  noGradArgs?: number[];
}

const normalLp = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const atan = Math.atan;

const cases: Case[] = [
  {
    name: "Normal", make: (m, s) => dist.Normal(m!, s!), params: [[0.5, -1], [1.3, 0.4]],
    logpdf: ([m, s]) => (x) => normalLp(x, m!, s!), range: ([m, s]) => [m! - 12 * s!, m! + 12 * s!],
    cdf: ([m, s], x) => ndtr64((x - m!) / s!), xs: ([m, s]) => [m! - 2 * s!, m! + 0.3 * s!, m! + 3 * s!],
  },
  {
    name: "LogNormal", make: (m, s) => dist.LogNormal(m!, s!), params: [[0.2, -0.5], [0.7, 0.3]],
    logpdf: ([m, s]) => (x) => normalLp(Math.log(x), m!, s!) - Math.log(x), range: ([m, s]) => [1e-9, Math.exp(m! + 10 * s!)],
    cdf: ([m, s], x) => ndtr64((Math.log(x) - m!) / s!), xs: ([m]) => [Math.exp(m!) * 0.4, Math.exp(m!), Math.exp(m!) * 2.5],
  },
  {
    name: "HalfNormal", make: (s) => dist.HalfNormal(s!), params: [[0.5, 2]],
    logpdf: ([s]) => (x) => Math.log(2) + normalLp(x, 0, s!), range: ([s]) => [0, 12 * s!],
    cdf: ([s], x) => 2 * ndtr64(x / s!) - 1, xs: ([s]) => [0.1 * s!, s!, 2.5 * s!],
  },
  {
    name: "Laplace", make: (m, b) => dist.Laplace(m!, b!), params: [[0.5, -1], [1.3, 0.4]],
    logpdf: ([m, b]) => (x) => -Math.abs(x - m!) / b! - Math.log(2 * b!), range: ([m, b]) => [m! - 40 * b!, m! + 40 * b!],
    cdf: ([m, b], x) => (x < m! ? 0.5 * Math.exp((x - m!) / b!) : 1 - 0.5 * Math.exp(-(x - m!) / b!)),
    xs: ([m, b]) => [m! - 2 * b!, m! + 0.3 * b!, m! + 3 * b!],
  },
  {
    name: "Exponential", make: (r) => dist.Exponential(r!), params: [[0.5, 3]],
    logpdf: ([r]) => (x) => Math.log(r!) - r! * x, range: ([r]) => [0, 40 / r!],
    cdf: ([r], x) => 1 - Math.exp(-r! * x), xs: ([r]) => [0.1 / r!, 1 / r!, 3 / r!],
  },
  {
    name: "Uniform", make: (l, h) => dist.Uniform(l!, h!), params: [[-1, 0.5], [2, 0.75]],
    logpdf: ([l, h]) => (_x) => -Math.log(h! - l!), range: ([l, h]) => [l!, h!],
    cdf: ([l, h], x) => (x - l!) / (h! - l!), xs: ([l, h]) => [l! + 0.1 * (h! - l!), (l! + h!) / 2, h! - 0.05 * (h! - l!)],
  },
  {
    name: "Gamma", make: (a, r) => dist.Gamma(a!, r!), params: [[1.5, 6], [0.7, 2]],
    logpdf: ([a, r]) => (x) => a! * Math.log(r!) + (a! - 1) * Math.log(x) - r! * x - lgamma64(a!), range: ([a, r]) => [1e-12, (a! + 40) / r!],
  },
  {
    name: "Beta", make: (a, b) => dist.Beta(a!, b!), params: [[1.5, 4], [2, 1.2]],
    logpdf: ([a, b]) => (x) => (a! - 1) * Math.log(x) + (b! - 1) * Math.log1p(-x) - logBeta64(a!, b!), range: () => [1e-12, 1 - 1e-12],
  },
  {
    name: "StudentT", make: (df, m, s) => dist.StudentT(df!, m!, s!), params: [[3, 12], [0.5, -1], [2, 0.7]],
    logpdf: ([df, m, s]) => (x) =>
      lgamma64((df! + 1) / 2) - lgamma64(df! / 2) - 0.5 * Math.log(df! * Math.PI) - Math.log(s!) - ((df! + 1) / 2) * Math.log1p(((x - m!) / s!) ** 2 / df!),
    range: ([, m, s]) => [m! - 3000 * s!, m! + 3000 * s!],
  },
  {
    name: "Chi2", make: (k) => dist.Chi2(k!), params: [[3, 8]],
    logpdf: ([k]) => (x) => (k! / 2 - 1) * Math.log(x) - x / 2 - (k! / 2) * Math.log(2) - lgamma64(k! / 2), range: ([k]) => [1e-12, k! + 80],
  },
  {
    name: "InverseGamma", make: (a, b) => dist.InverseGamma(a!, b!), params: [[3, 6], [2, 0.5]],
    logpdf: ([a, b]) => (x) => a! * Math.log(b!) - lgamma64(a!) - (a! + 1) * Math.log(x) - b! / x, range: ([, b]) => [1e-4 * b!, 2000 * b!],
  },
  {
    name: "Cauchy", make: (m, s) => dist.Cauchy(m!, s!), params: [[0.5, -1], [1.3, 0.4]],
    logpdf: ([m, s]) => (x) => -Math.log(Math.PI * s! * (1 + ((x - m!) / s!) ** 2)), range: () => "quantile",
    cdf: ([m, s], x) => 0.5 + atan((x - m!) / s!) / Math.PI, xs: ([m, s]) => [m! - 3 * s!, m! + 0.3 * s!, m! + 10 * s!],
  },
  {
    name: "HalfCauchy", make: (s) => dist.HalfCauchy(s!), params: [[0.5, 2]],
    logpdf: ([s]) => (x) => Math.log(2 / (Math.PI * s! * (1 + (x / s!) ** 2))), range: () => "quantile",
    cdf: ([s], x) => (2 / Math.PI) * atan(x / s!), xs: ([s]) => [0.1 * s!, s!, 10 * s!],
  },
  {
    name: "Weibull", make: (l, k) => dist.Weibull(l!, k!), params: [[0.5, 2], [1.7, 0.8]],
    logpdf: ([l, k]) => (x) => Math.log(k! / l!) + (k! - 1) * Math.log(x / l!) - (x / l!) ** k!, range: () => "quantile",
    cdf: ([l, k], x) => 1 - Math.exp(-((x / l!) ** k!)), xs: ([l]) => [0.2 * l!, l!, 2.5 * l!],
  },
  {
    name: "Gumbel", make: (m, s) => dist.Gumbel(m!, s!), params: [[0.5, -1], [1.3, 0.4]],
    logpdf: ([m, s]) => (x) => -((x - m!) / s! + Math.exp(-(x - m!) / s!)) - Math.log(s!), range: ([m, s]) => [m! - 5 * s!, m! + 50 * s!],
    cdf: ([m, s], x) => Math.exp(-Math.exp(-(x - m!) / s!)), xs: ([m, s]) => [m! - s!, m! + 0.3 * s!, m! + 3 * s!],
  },
  {
    name: "Logistic", make: (m, s) => dist.Logistic(m!, s!), params: [[0.5, -1], [1.3, 0.4]],
    logpdf: ([m, s]) => (x) => {
      const z = (x - m!) / s!;
      return -z - 2 * Math.log1p(Math.exp(-z)) - Math.log(s!);
    },
    range: ([m, s]) => [m! - 60 * s!, m! + 60 * s!],
    cdf: ([m, s], x) => 1 / (1 + Math.exp(-(x - m!) / s!)), xs: ([m, s]) => [m! - 3 * s!, m! + 0.3 * s!, m! + 2 * s!],
  },
  {
    // the second element truncates 6 standard deviations into the upper tail, with no upper bound
    name: "TruncatedNormal", make: (m, s, l, h) => dist.TruncatedNormal(m!, s!, l!, h!), params: [[0.5, 0], [1.3, 1], [-1, 6], [2, Infinity]],
    logpdf: ([m, s, l, h]) => {
      const logZ = Math.log(normalMass64((l! - m!) / s!, (h! - m!) / s!));
      return (x) => normalLp(x, m!, s!) - logZ;
    },
    range: ([m, s, l, h]) => [l!, Math.min(h!, m! + 40 * s!)],
    cdf: ([m, s, l, h], x) => {
      const a = (l! - m!) / s!;
      const z = Math.min((x - m!) / s!, (h! - m!) / s!);
      return z <= a ? 0 : normalMass64(a, z) / normalMass64(a, (h! - m!) / s!);
    },
    xs: ([, , l]) => (l! > 0 ? [6.01, 6.2, 7] : [-0.9, 0.5, 1.9]),
  },
  {
    name: "VonMises", make: (m, k) => dist.VonMises(m!, k!), params: [[0.5, -2], [0.3, 8]],
    logpdf: ([m, k]) => {
      const logZ = Math.log(2 * Math.PI * besselI64(0, k!));
      return (x) => k! * Math.cos(x - m!) - logZ;
    },
    range: () => [-Math.PI, Math.PI],
  },
];

const elem = (c: Case, j: number): P => c.params.map((v) => v[j]!);
const tensors = (c: Case) => c.params.map((v) => tf.tensor1d(v));

/** -integral p log p by the trapezoid rule; for heavy tails over the quantile scale of the cdf. */
function entropy64(c: Case, p: P): number {
  const range = c.range(p);
  const logpdf = c.logpdf(p);
  const n = 200000;
  if (range === "quantile") {
    // x = F^-1(u): H = -int_0^1 log p(F^-1(u)) du, F^-1 by bisection of the closed-form cdf
    const m = 20000;
    let s = 0;
    for (let i = 0; i < m; i++) s -= logpdf(inverse(c, p, (i + 0.5) / m));
    return s / m;
  }
  const [a, b] = range;
  const h = (b - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const lp = logpdf(a + i * h);
    const f = Math.exp(lp) * lp;
    s -= (i === 0 || i === n ? 0.5 : 1) * (Number.isFinite(f) ? f : 0);
  }
  return s * h;
}

/** The x with cdf_ref(x) = q, by bisection in float64. */
function inverse(c: Case, p: P, q: number): number {
  // a support on x >= 0 has no cdf (NaN) below 0: start the bracket there
  let lo = Number.isNaN(c.cdf!(p, -1)) ? 0 : -1;
  let hi = 1;
  while (c.cdf!(p, lo) > q) lo *= 2;
  while (c.cdf!(p, hi) < q) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (!(c.cdf!(p, mid) >= q)) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe("entropy() against -integral p log p of the density", () => {
  for (const c of cases) {
    it(c.name, () => {
      const h = tf.tidy(() => vals(c.make(...tensors(c)).entropy()));
      expect(h.length).toBe(2);
      expectClose(h, [0, 1].map((j) => entropy64(c, elem(c, j))), 2e-4, 2e-4, `${c.name}.entropy`);
    });
  }
  it("Dirichlet and MultivariateNormal: closed forms (Dirichlet K = 2 is a Beta; MVN's is that of independent Normals times |L|)", () => {
    tf.tidy(() => {
      const b = cases.find((c) => c.name === "Beta")!;
      expectClose(vals(dist.Dirichlet([[1.5, 2], [4, 1.2]]).entropy()), [entropy64(b, [1.5, 2]), entropy64(b, [4, 1.2])], 2e-4, 2e-4, "Dirichlet");
      // L = [[2, 0], [0.5, 0.3]]: H = 1 + log 2 pi + log(2 * 0.3)
      expectClose(vals(dist.MultivariateNormal([0, 0], { scaleTril: [[2, 0], [0.5, 0.3]] }).entropy()), [1 + LOG_2PI + Math.log(0.6)], 1e-5, 1e-5, "MVN");
    });
  });
  it("Independent sums the entropies of its event dims, Expanded broadcasts them", () => {
    tf.tidy(() => {
      const n = dist.Normal([0, 1], [1, 2]);
      const each = [0.5 * Math.log(2 * Math.PI * Math.E), 0.5 * Math.log(2 * Math.PI * Math.E * 4)];
      expectClose(vals(n.toEvent(1).entropy()), [each[0]! + each[1]!], 1e-5, 1e-5, "Independent");
      const e = n.expand([3, 2]).entropy();
      expect(e.shape).toEqual([3, 2]);
      expectClose(vals(e), [...each, ...each, ...each], 1e-5, 1e-5, "Expanded");
    });
  });
});

const withCdf = cases.filter((c) => c.cdf !== undefined);

describe("cdf() against the closed form, icdf() through it", () => {
  for (const c of withCdf) {
    it(`${c.name}: cdf at three points per element ([3, 2] from a [3, 1] value), icdf round trips`, () => {
      tf.tidy(() => {
        const d = c.make(...tensors(c));
        const pts = [0, 1].map((j) => c.xs!(elem(c, j)));
        // x[r, j] = pts[j][r]
        const x = tf.tensor2d([0, 1, 2].map((r) => [pts[0]![r]!, pts[1]![r]!]));
        const cdf = d.cdf(x);
        expect(cdf.shape).toEqual([3, 2]);
        const expected = [0, 1, 2].flatMap((r) => [0, 1].map((j) => c.cdf!(elem(c, j), pts[j]![r]!)));
        expectClose(vals(cdf), expected, 2e-6, 1e-4, `${c.name}.cdf`);
        // icdf of a [5, 1] column of levels: the closed-form cdf brings each back
        const qs = [0.01, 0.2, 0.5, 0.8, 0.99];
        const xq = vals(d.icdf(tf.tensor2d(qs, [5, 1])));
        expect(xq.length).toBe(10);
        const back = xq.map((v, i) => c.cdf!(elem(c, i % 2), v));
        expectClose(back, qs.flatMap((q) => [q, q]), 2e-6, 2e-4, `${c.name}: cdf_ref(icdf(q))`);
        expectClose(vals(d.icdf(cdf)), vals(x), 1e-4, 1e-4, `${c.name}: icdf(cdf(x))`);
      });
    });
  }
  it("cdf is 0 below and 1 above a bounded support", () => {
    tf.tidy(() => {
      expect(vals(dist.Exponential(2).cdf(tf.tensor1d([-1, 0])))).toEqual([0, 0]);
      expect(vals(dist.Uniform(0, 1).cdf(tf.tensor1d([-1, 2])))).toEqual([0, 1]);
      expect(vals(dist.TruncatedNormal(0, 1, -1, 1).cdf(tf.tensor1d([-2, 3])))).toEqual([0, 1]);
      expect(vals(dist.HalfNormal(1).cdf(tf.scalar(-1)))).toEqual([0]);
    });
  });
});

describe("gradients of cdf and icdf in value and arguments match central differences of the closed form", () => {
  for (const c of withCdf) {
    it(c.name, () => {
      const pts = [0, 1].map((j) => c.xs!(elem(c, j))[1]!);
      // an argument with an infinite element (a TruncatedNormal bound) is held constant: no finite differences there
      const free = c.params.map((_, k) => k).filter((k) => c.params[k]!.every(Number.isFinite));
      const all = (ps: tf.Tensor[]) => c.params.map((v, k) => (free.includes(k) ? ps[free.indexOf(k)]! : tf.tensor1d(v)));
      const allV = (ps: number[][]) => c.params.map((v, k) => (free.includes(k) ? ps[free.indexOf(k)]! : v));
      const specs = free.map((k) => ({ values: c.params[k]!, shape: [2] }));
      checkGradients(
        (x, ...ps) => c.make(...all(ps)).cdf(x!),
        ([xv, ...ps]) => [0, 1].map((j) => c.cdf!(allV(ps).map((v) => v[j]!), xv![j]!)),
        [{ values: pts, shape: [2] }, ...specs],
        3e-3,
        `${c.name}.cdf`,
      );
      // icdf at q = 0.3 (element 0) and 0.85 (element 1)
      checkGradients(
        (q, ...ps) => c.make(...all(ps)).icdf(q!),
        ([qv, ...ps]) => [0, 1].map((j) => inverse(c, allV(ps).map((v) => v[j]!), qv![j]!)),
        [{ values: [0.3, 0.85], shape: [2] }, ...specs],
        3e-3,
        `${c.name}.icdf`,
      );
    });
  }
});
