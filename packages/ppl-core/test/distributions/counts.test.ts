// Geometric, NegativeBinomial, GammaPoisson and ZeroInflatedPoisson: log-pmfs
// against float64 closed forms (written here), sums to 1, seeded moments,
// gradients against central differences; cdf/icdf/entropy against float64
// sums over the support; the batching hook against logProb's closed form.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type Distribution, PPLConfigError, PPLModelError, PPLShapeError, PPLSupportError, dist, setValidation } from "ppl-core";
import { checkGradients, expectClose, lgamma64, thrown, vals } from "./helpers.js";
import { describeFamily } from "./spec.js";

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const nbLogPmf = (r: number, p: number, k: number) =>
  lgamma64(k + r) - lgamma64(r) - lgamma64(k + 1) + r * Math.log1p(-p) + (k === 0 ? 0 : k * Math.log(p));
const poissonLogPmf = (lam: number, k: number) => k * Math.log(lam) - lam - lgamma64(k + 1);
const zipLogPmf = (lam: number, g: number, k: number) =>
  k === 0 ? Math.log(g + (1 - g) * Math.exp(-lam)) : Math.log1p(-g) + poissonLogPmf(lam, k);
const cumsum = (xs: number[]) => xs.map(((s) => (x: number) => (s += x))(0));

describeFamily({
  name: "Geometric (probs)",
  make: (p) => dist.Geometric(p!),
  ref: ([p], k) => k * Math.log1p(-p!) + Math.log(p!),
  cases: [
    { params: [{ values: [0.2, 0.5, 0.9], shape: [3] }], x: { values: [0, 3, 7], shape: [3] } },
    { params: [{ values: [0.3, 0.7], shape: [2, 1] }], x: { values: [0, 1, 4], shape: [3] } },
  ],
  scalar: [0.3],
  normalise: { kind: "sum", a: 0, b: 120 },
  mean: ([p]) => (1 - p!) / p!,
  variance: ([p]) => (1 - p!) / p! ** 2,
});

describeFamily({
  name: "Geometric (logits)",
  make: (l) => dist.Geometric({ logits: l! }),
  ref: ([l], k) => k * Math.log1p(-sigmoid(l!)) + Math.log(sigmoid(l!)),
  cases: [{ params: [{ values: [-2, 0.1, 3], shape: [3] }], x: { values: [2, 0, 5], shape: [3] } }],
  scalar: [-0.4],
  normalise: { kind: "sum", a: 0, b: 200 },
  mean: ([l]) => (1 - sigmoid(l!)) / sigmoid(l!),
  variance: ([l]) => (1 - sigmoid(l!)) / sigmoid(l!) ** 2,
});

describeFamily({
  name: "NegativeBinomial (probs)",
  make: (r, p) => dist.NegativeBinomial(r!, p!),
  ref: ([r, p], k) => nbLogPmf(r!, p!, k),
  cases: [
    { params: [{ values: [2.5, 1, 7], shape: [3] }, { values: [0.3, 0.6, 0.1], shape: [3] }], x: { values: [0, 4, 2], shape: [3] } },
    { params: [{ values: [3], shape: [] }, { values: [0.2, 0.8], shape: [2, 1] }], x: { values: [1, 0, 9], shape: [3] } },
  ],
  scalar: [3.5, 0.4],
  normalise: { kind: "sum", a: 0, b: 150 },
  mean: ([r, p]) => (r! * p!) / (1 - p!),
  variance: ([r, p]) => (r! * p!) / (1 - p!) ** 2,
  gradTol: 3e-3,
});

describeFamily({
  name: "NegativeBinomial (logits)",
  make: (r, l) => dist.NegativeBinomial(r!, { logits: l! }),
  ref: ([r, l], k) => nbLogPmf(r!, sigmoid(l!), k),
  cases: [{ params: [{ values: [2, 0.5], shape: [2] }, { values: [-1, 1.2], shape: [2] }], x: { values: [3, 1], shape: [2] } }],
  scalar: [2, -0.5],
  normalise: { kind: "sum", a: 0, b: 150 },
  mean: ([r, l]) => r! * Math.exp(l!),
  variance: ([r, l]) => (r! * sigmoid(l!)) / (1 - sigmoid(l!)) ** 2,
  gradTol: 3e-3,
});

describeFamily({
  name: "GammaPoisson",
  make: (a, b) => dist.GammaPoisson(a!, b!),
  // the negative binomial with r = a, p = 1 / (1 + b) (Pyro's GammaPoisson docstring)
  ref: ([a, b], k) => nbLogPmf(a!, 1 / (1 + b!), k),
  cases: [
    { params: [{ values: [2, 0.7, 5], shape: [3] }, { values: [0.5, 2, 1], shape: [3] }], x: { values: [0, 3, 6], shape: [3] } },
    { params: [{ values: [1.5, 3], shape: [2, 1] }, { values: [0.8], shape: [1] }], x: { values: [2, 0], shape: [2] } },
  ],
  scalar: [2, 0.5],
  normalise: { kind: "sum", a: 0, b: 200 },
  mean: ([a, b]) => a! / b!,
  variance: ([a, b]) => (a! * (1 + b!)) / b! ** 2,
  gradTol: 3e-3,
});

describeFamily({
  name: "ZeroInflatedPoisson (gate)",
  make: (lam, g) => dist.ZeroInflatedPoisson(lam!, { gate: g! }),
  ref: ([lam, g], k) => zipLogPmf(lam!, g!, k),
  cases: [
    { params: [{ values: [3.5, 1, 0.4], shape: [3] }, { values: [0.3, 0.05, 0.6], shape: [3] }], x: { values: [0, 2, 0], shape: [3] } },
    { params: [{ values: [2], shape: [] }, { values: [0.2, 0.7], shape: [2, 1] }], x: { values: [0, 1, 5], shape: [3] } },
  ],
  scalar: [3.5, 0.3],
  normalise: { kind: "sum", a: 0, b: 60 },
  mean: ([lam, g]) => (1 - g!) * lam!,
  variance: ([lam, g]) => (1 - g!) * lam! * (1 + g! * lam!),
});

describeFamily({
  name: "ZeroInflatedPoisson (gateLogits)",
  make: (lam, l) => dist.ZeroInflatedPoisson(lam!, { gateLogits: l! }),
  ref: ([lam, l], k) => zipLogPmf(lam!, sigmoid(l!), k),
  cases: [{ params: [{ values: [3, 0.5], shape: [2] }, { values: [-1, 2], shape: [2] }], x: { values: [0, 3], shape: [2] } }],
  scalar: [2.5, -0.8],
  normalise: { kind: "sum", a: 0, b: 60 },
  mean: ([lam, l]) => (1 - sigmoid(l!)) * lam!,
  variance: ([lam, l]) => (1 - sigmoid(l!)) * lam! * (1 + sigmoid(l!) * lam!),
});

describe("cdf, icdf and entropy of the count families", () => {
  const ks = [-1, 0, 1, 2, 5, 9.5];
  it("Geometric: cdf is the running sum of the pmf, icdf inverts it, entropy is -Σ p log p", () => {
    const p = 0.35;
    const pmf = Array.from({ length: 400 }, (_, k) => (1 - p) ** k * p);
    const run = cumsum(pmf);
    const truthCdf = ks.map((k) => (k < 0 ? 0 : run[Math.floor(k)]!));
    const d = dist.Geometric(p);
    tf.tidy(() => expectClose(vals(d.cdf(tf.tensor1d(ks))), truthCdf, 1e-6, 1e-5, "Geometric.cdf"));
    // the quantile is the smallest k with cdf(k) >= q
    const qs = [0.01, 0.35, 0.5, 0.9, run[4]!, 0.999];
    const truthQ = qs.map((q) => run.findIndex((c) => c >= q - 1e-12));
    tf.tidy(() => {
      expect(vals(d.icdf(tf.tensor1d(qs)))).toEqual(truthQ);
    });
    const h = -pmf.reduce((s, pk) => s + (pk > 0 ? pk * Math.log(pk) : 0), 0);
    tf.tidy(() => expectClose(vals(d.entropy()), [h], 1e-5, 1e-5, "Geometric.entropy"));
    tf.tidy(() => expectClose(vals(dist.Geometric({ logits: tf.scalar(Math.log(p / (1 - p))) }).entropy()), [h], 1e-5, 1e-5));
  });

  it("Poisson and ZeroInflatedPoisson: cdf is the running sum of the pmf, with the rate gradient -pmf(k)", () => {
    const lam = 3.2;
    const g = 0.25;
    const pois = Array.from({ length: 60 }, (_, k) => Math.exp(poissonLogPmf(lam, k)));
    const run = cumsum(pois);
    const truth = ks.map((k) => (k < 0 ? 0 : run[Math.floor(k)]!));
    tf.tidy(() => expectClose(vals(dist.Poisson(lam).cdf(tf.tensor1d(ks))), truth, 1e-6, 1e-5, "Poisson.cdf"));
    const zip = truth.map((c, i) => (ks[i]! < 0 ? 0 : g + (1 - g) * c));
    tf.tidy(() => expectClose(vals(dist.ZeroInflatedPoisson(lam, { gate: g }).cdf(tf.tensor1d(ks))), zip, 1e-6, 1e-5, "ZIP.cdf"));
    const kT = tf.tensor1d([0, 2, 5]);
    const cdf64 = (l: number, k: number) => Array.from({ length: k + 1 }, (_, j) => Math.exp(poissonLogPmf(l, j))).reduce((a, b) => a + b, 0);
    checkGradients(
      (r) => dist.Poisson(r!).cdf(kT),
      ([r]) => [0, 2, 5].map((k, i) => cdf64(r![i]!, k)),
      [{ values: [3.2, 0.7, 6], shape: [3] }],
      1e-3,
      "Poisson.cdf",
    );
    checkGradients(
      (r, gt) => dist.ZeroInflatedPoisson(r!, { gate: gt! }).cdf(kT),
      ([r, gs]) => [0, 2, 5].map((k, i) => gs![i]! + (1 - gs![i]!) * cdf64(r![i]!, k)),
      [{ values: [3.2, 0.7, 6], shape: [3] }, { values: [0.1, 0.5, 0.3], shape: [3] }],
      1e-3,
      "ZIP.cdf",
    );
    kT.dispose();
  });

  it("the batching hook (batchKey, logProbBatched) of Geometric, NegativeBinomial, GammaPoisson and ZeroInflatedPoisson matches the closed form", () => {
    const values = [[0, 3], [2, 1], [5, 0]];
    const cases: [string, () => Distribution, (i: number, k: number) => number][] = [
      ["Geometric", () => dist.Geometric(tf.tensor1d([0.3, 0.6])), (i, k) => k * Math.log1p(-[0.3, 0.6][i]!) + Math.log([0.3, 0.6][i]!)],
      ["NegativeBinomial", () => dist.NegativeBinomial(2.5, tf.tensor1d([0.3, 0.6])), (i, k) => nbLogPmf(2.5, [0.3, 0.6][i]!, k)],
      ["GammaPoisson", () => dist.GammaPoisson(2, tf.tensor1d([0.5, 1.5])), (i, k) => nbLogPmf(2, 1 / (1 + [0.5, 1.5][i]!), k)],
      ["ZeroInflatedPoisson", () => dist.ZeroInflatedPoisson(tf.tensor1d([1.5, 4]), { gate: 0.3 }), (i, k) => zipLogPmf([1.5, 4][i]!, 0.3, k)],
    ];
    for (const [name, make, ref] of cases) {
      tf.tidy(() => {
        const d = make();
        expect(d.batchKey(), name).toBeDefined();
        const out = d.logProbBatched(tf.tensor2d(values));
        expect(out.shape).toEqual([3, 2]);
        expectClose(vals(out), values.flatMap((row) => row.map((k, i) => ref(i, k))), 2e-5, 2e-5, `${name}.logProbBatched`);
      });
    }
  });
});

describe("entropy and cdf of Bernoulli, Categorical and Binomial", () => {
  const h = (ps: number[]) => -ps.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
  const binomPmf = (n: number, p: number) =>
    Array.from({ length: n + 1 }, (_, k) => Math.exp(lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1)) * p ** k * (1 - p) ** (n - k));

  it("Bernoulli: entropy -p log p - (1-p) log(1-p) in both parameterisations (0 at p = 0, 1); cdf a step function", () => {
    const ps = [0, 0.2, 0.5, 0.9, 1];
    tf.tidy(() => expectClose(vals(dist.Bernoulli(tf.tensor1d(ps)).entropy()), ps.map((p) => h([p, 1 - p])), 1e-6, 1e-5, "probs"));
    const ls = [-3, 0, 1.5];
    tf.tidy(() => expectClose(vals(dist.Bernoulli({ logits: tf.tensor1d(ls) }).entropy()), ls.map((l) => h([sigmoid(l), 1 - sigmoid(l)])), 1e-6, 1e-5, "logits"));
    tf.tidy(() => expectClose(vals(dist.Bernoulli(0.3).cdf(tf.tensor1d([-0.5, 0, 0.5, 1, 2]))), [0, 0.7, 0.7, 1, 1], 1e-7, 0, "cdf"));
    checkGradients((p) => dist.Bernoulli(p!).entropy(), ([p]) => p!.map((x) => h([x, 1 - x])), [{ values: [0.2, 0.7], shape: [2] }], 1e-3, "entropy");
  });

  it("Categorical and OneHotCategorical: entropy -Σ p log p over the last axis, an impossible category contributing 0", () => {
    const rows = [[0.2, 0.3, 0.5], [0, 0.4, 0.6]];
    tf.tidy(() => expectClose(vals(dist.Categorical(tf.tensor2d(rows)).entropy()), rows.map(h), 1e-6, 1e-5, "Categorical"));
    tf.tidy(() => expectClose(vals(dist.OneHotCategorical(tf.tensor2d(rows)).entropy()), rows.map(h), 1e-6, 1e-5, "OneHotCategorical"));
    checkGradients(
      (p) => dist.Categorical(p!).entropy(),
      ([p]) => [h(p!.map((x) => x / p!.reduce((a, b) => a + b, 0)))],
      [{ values: [0.2, 0.3, 0.5], shape: [3] }],
      1e-3,
      "Categorical.entropy",
    );
  });

  it("Binomial: cdf the running sum of the pmf (gradient -n pmf(k; n-1, p)), entropy -Σ p log p over 0..n", () => {
    const n = 12;
    const ps = [0.15, 0.5, 0.8];
    const ks = [-1, 0, 3, 6, 11, 12, 20];
    const truth = ps.flatMap((p) => {
      const run = cumsum(binomPmf(n, p));
      return ks.map((k) => (k < 0 ? 0 : k >= n ? 1 : run[k]!));
    });
    tf.tidy(() => expectClose(vals(dist.Binomial(n, tf.tensor2d(ps, [3, 1])).cdf(tf.tensor1d(ks))), truth, 1e-6, 1e-5, "Binomial.cdf"));
    tf.tidy(() => expectClose(vals(dist.Binomial(n, { logits: tf.tensor1d(ps.map((p) => Math.log(p / (1 - p)))) }).entropy()), ps.map((p) => h(binomPmf(n, p))), 1e-5, 1e-5, "Binomial.entropy"));
    // p = 0 or 1: the pmf is scored with p clamped to [eps, 1 - eps] (torch's clamp_probs, eps = 2^-23), as torch's
    // Binomial.entropy does; -Σ_k q(k) log q(k) of Binomial(4, eps) in float64:
    const clamped = binomPmf(4, 2 ** -23);
    tf.tidy(() => expectClose(vals(dist.Binomial(4, tf.tensor1d([0, 1])).entropy()), [h(clamped), h(clamped)], 2e-6, 0, "degenerate"));
    const kT = tf.tensor1d([2, 6, 9]);
    checkGradients(
      (p) => dist.Binomial(n, p!).cdf(kT),
      ([p]) => [2, 6, 9].map((k, i) => cumsum(binomPmf(n, p![i]!))[k]!),
      [{ values: [0.15, 0.5, 0.8], shape: [3] }],
      1e-3,
      "Binomial.cdf",
    );
    kT.dispose();
  });
});

describe("validation of the count families", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["Geometric probs > 1", () => dist.Geometric([0.5, 1.5]), /^Geometric: parameter 'probs' must be unitInterval, but element 1 is 1.5/],
    ["Geometric logits NaN", () => dist.Geometric({ logits: NaN }), /^Geometric: parameter 'logits' must be real, but element 0 is NaN/],
    ["NegativeBinomial totalCount 0", () => dist.NegativeBinomial(0, 0.5), /^NegativeBinomial: parameter 'totalCount' must be positive, but element 0 is 0/],
    ["NegativeBinomial probs = 1", () => dist.NegativeBinomial(2, [0.2, 1]), /^NegativeBinomial: parameter 'probs' must be halfOpenInterval\(0, 1\), but element 1 is 1/],
    ["NegativeBinomial logits infinite", () => dist.NegativeBinomial(2, { logits: Infinity }), /^NegativeBinomial: parameter 'logits' must be real, but element 0 is Infinity/],
    ["GammaPoisson concentration < 0", () => dist.GammaPoisson(-1, 1), /^GammaPoisson: parameter 'concentration' must be positive, but element 0 is -1/],
    ["GammaPoisson rate NaN", () => dist.GammaPoisson(1, [1, NaN]), /^GammaPoisson: parameter 'rate' must be positive, but element 1 is NaN/],
    ["ZeroInflatedPoisson rate 0", () => dist.ZeroInflatedPoisson(0, { gate: 0.5 }), /^ZeroInflatedPoisson: parameter 'rate' must be positive, but element 0 is 0/],
    ["ZeroInflatedPoisson gate > 1", () => dist.ZeroInflatedPoisson(1, { gate: 1.2 }), /^ZeroInflatedPoisson: parameter 'gate' must be unitInterval, but element 0 is 1.2/],
    ["ZeroInflatedPoisson gateLogits NaN", () => dist.ZeroInflatedPoisson(1, { gateLogits: NaN }), /^ZeroInflatedPoisson: parameter 'gateLogits' must be real, but element 0 is NaN/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      const e = thrown(make);
      expect(e).toBeInstanceOf(PPLSupportError);
      expect(e.message).toMatch(message);
    });
  }
  it("shape and configuration errors", () => {
    const s = thrown(() => dist.GammaPoisson(tf.ones([3]), tf.ones([2])));
    expect(s).toBeInstanceOf(PPLShapeError);
    expect(s.message).toMatch(/^GammaPoisson: parameter shapes do not broadcast: concentration \[3\], rate \[2\]/);
    expect(() => dist.NegativeBinomial(tf.ones([3]), tf.ones([2]).mul(0.5))).toThrow(/^NegativeBinomial: parameter shapes do not broadcast: totalCount \[3\], probs \[2\]/);
    const g = thrown(() => dist.ZeroInflatedPoisson(1, {} as never));
    expect(g).toBeInstanceOf(PPLConfigError);
    expect(g.message).toMatch(/^ZeroInflatedPoisson: give exactly one of 'gate' or 'gateLogits' in the second argument/);
    expect(() => dist.ZeroInflatedPoisson(1, { gate: 0.1, gateLogits: 0 } as never)).toThrow(/exactly one of 'gate' or 'gateLogits'/);
    expect(() => dist.Geometric({ probs: 0.5, logits: 0 } as never)).toThrow(/^Geometric: give exactly one of 'probs' or 'logits'/);
    setValidation(false);
    try {
      expect(() => dist.Geometric(1.5)).not.toThrow();
    } finally {
      setValidation(true);
    }
  });
  it("a distribution without a closed form says so", () => {
    const e = thrown(() => dist.NegativeBinomial(2, 0.5).entropy());
    expect(e).toBeInstanceOf(PPLModelError);
    expect(e.message).toMatch(/^NegativeBinomial has no closed-form entropy/);
  });
});
