// klDivergence against an independent float64 truth: numerical quadrature of
// ∫ q (log q − log p) for the one-dimensional continuous pairs, the direct sum
// for the discrete ones, and the Gaussian formula with explicit 2×2 algebra for
// MultivariateNormal.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type Distribution, Normal, dist, klDivergence, registerKL } from "ppl-core";
import { lgamma64 as lgamma } from "../distributions/helpers.js";


/** ∫_lo^hi q(x) (log q(x) − log p(x)) dx by Simpson's rule on n intervals. */
function quadKL(logQ: (x: number) => number, logP: (x: number) => number, lo: number, hi: number, n = 20000): number {
  const h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const x = lo + i * h;
    const lq = logQ(x);
    const f = Number.isFinite(lq) ? Math.exp(lq) * (lq - logP(x)) : 0;
    s += f * (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2);
  }
  return (s * h) / 3;
}

const normalLp = (m: number, s: number) => (x: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const gammaLp = (a: number, b: number) => (x: number) => a * Math.log(b) - lgamma(a) + (a - 1) * Math.log(x) - b * x;
const betaLp = (a: number, b: number) => (x: number) => lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x);
const laplaceLp = (m: number, b: number) => (x: number) => -Math.abs(x - m) / b - Math.log(2 * b);

function kl(q: Distribution, p: Distribution): number[] {
  const t = klDivergence(q, p)!;
  expect(t, `${q.name}‖${p.name} has a closed form`).toBeDefined();
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe("klDivergence: continuous pairs against quadrature", () => {
  it("Normal‖Normal, with batch shapes broadcast", () => {
    const got = kl(dist.Normal(tf.tensor([0.3, -1]), tf.tensor([0.8, 2])), dist.Normal(0.5, 1.5));
    expect(got[0]).toBeCloseTo(quadKL(normalLp(0.3, 0.8), normalLp(0.5, 1.5), -8, 8), 6);
    expect(got[1]).toBeCloseTo(quadKL(normalLp(-1, 2), normalLp(0.5, 1.5), -20, 20), 6);
  });

  it("LogNormal‖LogNormal equals the normal KL of the logs", () => {
    const lq = (x: number) => normalLp(0.2, 0.5)(Math.log(x)) - Math.log(x);
    const lp = (x: number) => normalLp(-0.1, 0.9)(Math.log(x)) - Math.log(x);
    expect(kl(dist.LogNormal(0.2, 0.5), dist.LogNormal(-0.1, 0.9))[0]).toBeCloseTo(quadKL(lq, lp, 1e-9, 30, 200000), 5);
  });

  it("HalfNormal, Exponential, Laplace", () => {
    const hn = (s: number) => (x: number) => Math.log(2) + normalLp(0, s)(x);
    expect(kl(dist.HalfNormal(0.7), dist.HalfNormal(1.3))[0]).toBeCloseTo(quadKL(hn(0.7), hn(1.3), 0, 10), 6);
    const ex = (r: number) => (x: number) => Math.log(r) - r * x;
    expect(kl(dist.Exponential(2), dist.Exponential(0.5))[0]).toBeCloseTo(quadKL(ex(2), ex(0.5), 0, 25), 6);
    expect(kl(dist.Laplace(0.4, 0.6), dist.Laplace(-0.3, 1.1))[0]).toBeCloseTo(
      quadKL(laplaceLp(0.4, 0.6), laplaceLp(-0.3, 1.1), -15, 15, 60000), 5);
  });

  it("Gamma‖Gamma and Beta‖Beta", () => {
    expect(kl(dist.Gamma(2.5, 1.5), dist.Gamma(1.2, 0.7))[0]).toBeCloseTo(quadKL(gammaLp(2.5, 1.5), gammaLp(1.2, 0.7), 1e-9, 40, 100000), 5);
    expect(kl(dist.Beta(2, 3), dist.Beta(1.5, 0.9))[0]).toBeCloseTo(quadKL(betaLp(2, 3), betaLp(1.5, 0.9), 1e-9, 1 - 1e-9, 100000), 5);
  });

  it("Dirichlet‖Dirichlet with two categories is the Beta KL of the first", () => {
    const got = kl(dist.Dirichlet(tf.tensor([2, 3])), dist.Dirichlet(tf.tensor([1.5, 0.9])));
    expect(got[0]).toBeCloseTo(quadKL(betaLp(2, 3), betaLp(1.5, 0.9), 1e-9, 1 - 1e-9, 100000), 5);
  });

  it("Uniform‖Uniform: log of the width ratio inside, +∞ when q leaves p's support", () => {
    const got = kl(dist.Uniform(tf.tensor([0.2, -1]), tf.tensor([0.7, 0.5])), dist.Uniform(0, 1));
    expect(got[0]).toBeCloseTo(Math.log(1 / 0.5), 6);
    expect(got[1]).toBe(Infinity);
  });
});

describe("klDivergence: discrete and multivariate pairs", () => {
  it("Bernoulli, Categorical and Poisson by direct sums", () => {
    const bern = (a: number, b: number) => a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
    expect(kl(dist.Bernoulli({ probs: 0.3 }), dist.Bernoulli({ probs: 0.8 }))[0]).toBeCloseTo(bern(0.3, 0.8), 6);
    const pq = [0.2, 0.5, 0.3];
    const pp = [0.6, 0.1, 0.3];
    const cat = pq.reduce((s, q, i) => s + q * Math.log(q / pp[i]!), 0);
    expect(kl(dist.Categorical({ probs: tf.tensor(pq) }), dist.Categorical({ probs: tf.tensor(pp) }))[0]).toBeCloseTo(cat, 6);
    let pois = 0;
    let logPmfQ = -2.5;
    for (let k = 0; k < 80; k++) {
      if (k > 0) logPmfQ += Math.log(2.5 / k);
      const logPmfP = logPmfQ + 2.5 - 0.7 + k * Math.log(0.7 / 2.5);
      pois += Math.exp(logPmfQ) * (logPmfQ - logPmfP);
    }
    expect(kl(dist.Poisson(2.5), dist.Poisson(0.7))[0]).toBeCloseTo(pois, 6);
  });

  it("a category p excludes gives +∞, one q excludes adds nothing", () => {
    const got = kl(dist.Categorical({ probs: tf.tensor([[0.5, 0.5, 0], [0.5, 0.5, 0]]) }),
      dist.Categorical({ probs: tf.tensor([[0.5, 0.5, 0], [1, 0, 0]]) }));
    expect(got[0]).toBeCloseTo(0, 6);
    expect(got[1]).toBe(Infinity);
  });

  it("MultivariateNormal‖MultivariateNormal against the 2×2 formula", () => {
    const [mq, mp] = [[0.5, -0.2], [0, 0.3]];
    const Lq = [[1.2, 0], [0.4, 0.7]];
    const Lp = [[0.9, 0], [-0.3, 1.5]];
    const cov = (L: number[][]) => [[L[0]![0]! ** 2, L[0]![0]! * L[1]![0]!], [L[0]![0]! * L[1]![0]!, L[1]![0]! ** 2 + L[1]![1]! ** 2]];
    const [Sq, Sp] = [cov(Lq), cov(Lp)];
    const det = (S: number[][]) => S[0]![0]! * S[1]![1]! - S[0]![1]! * S[1]![0]!;
    const inv = [[Sp[1]![1]! / det(Sp), -Sp[0]![1]! / det(Sp)], [-Sp[1]![0]! / det(Sp), Sp[0]![0]! / det(Sp)]];
    const tr = inv[0]![0]! * Sq[0]![0]! + inv[0]![1]! * Sq[1]![0]! + inv[1]![0]! * Sq[0]![1]! + inv[1]![1]! * Sq[1]![1]!;
    const d = [mp[0]! - mq[0]!, mp[1]! - mq[1]!];
    const maha = d[0]! * (inv[0]![0]! * d[0]! + inv[0]![1]! * d[1]!) + d[1]! * (inv[1]![0]! * d[0]! + inv[1]![1]! * d[1]!);
    const want = 0.5 * (tr + maha - 2 + Math.log(det(Sp) / det(Sq)));
    const got = kl(dist.MultivariateNormal(tf.tensor(mq), { scaleTril: tf.tensor(Lq) }), dist.MultivariateNormal(tf.tensor(mp), { scaleTril: tf.tensor(Lp) }));
    expect(got[0]).toBeCloseTo(want, 5);
  });
});

describe("klDivergence: wrappers, Delta, no closed form, user pairs", () => {
  it("Independent pairs sum the reinterpreted dims; Expanded broadcasts", () => {
    const q = dist.Normal(tf.tensor([0.3, -1]), tf.tensor([0.8, 2])).toEvent(1);
    const p = dist.Normal(0.5, 1.5).expand([2]).toEvent(1);
    const want = quadKL(normalLp(0.3, 0.8), normalLp(0.5, 1.5), -8, 8) + quadKL(normalLp(-1, 2), normalLp(0.5, 1.5), -20, 20);
    expect(kl(q, p)).toHaveLength(1);
    expect(kl(q, p)[0]).toBeCloseTo(want, 5);
    const e = klDivergence(dist.Normal(0, 1).expand([3]), dist.Normal(1, 1))!;
    expect(e.shape).toEqual([3]);
    expect(Array.from(e.dataSync())).toEqual([0.5, 0.5, 0.5]);
  });

  it("KL(δ_v ‖ p) = −log p(v), plus the Delta's log-density", () => {
    expect(kl(dist.Delta(tf.scalar(0.4)), dist.Normal(0, 1))[0]).toBeCloseTo(-normalLp(0, 1)(0.4), 6);
    // with a log-density (an autoguide's log q riding on the Delta) it is log q(v) − log p(v)
    expect(kl(dist.Delta(tf.scalar(0.4), { logDensity: tf.scalar(-0.25) }), dist.Normal(0, 1))[0]).toBeCloseTo(-0.25 - normalLp(0, 1)(0.4), 6);
  });

  it("undefined for a pair without a closed form, or Independent against a plain batch", () => {
    expect(klDivergence(dist.Normal(0, 1), dist.StudentT(3, 0, 1))).toBeUndefined();
    expect(klDivergence(dist.Normal(tf.zeros([2]), 1).toEvent(1), dist.Normal(tf.zeros([2]), 1))).toBeUndefined();
  });

  it("registerKL adds a pair for exactly those classes", () => {
    class Shifted extends Normal {}
    expect(klDivergence(new Shifted(0, 1), dist.Normal(0, 1))).toBeUndefined();
    registerKL(Shifted, Normal, (q, p) => q.loc.sub(p.loc).abs());
    expect(kl(new Shifted(2, 1), dist.Normal(0.5, 1))[0]).toBeCloseTo(1.5, 6);
  });
});
