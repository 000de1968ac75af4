// Reparameterised Gamma, Beta, Dirichlet and StudentT draws: the implicit
// derivative dx/dalpha of each Gamma draw against the CDF (integrated
// numerically here, independently of ppl's incomplete gamma), and pathwise
// gradients of E[f(x)] against central differences of its closed form.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { lgamma64, vals } from "./helpers.js";

/** Gamma(a, 1) CDF at x by Simpson's rule on the density (a > 1 so it is smooth at 0). */
function gammaCdf(a: number, x: number, n = 4000): number {
  const pdf = (t: number) => (t <= 0 ? 0 : Math.exp((a - 1) * Math.log(t) - t - lgamma64(a)));
  const h = x / n;
  let s = pdf(0) + pdf(x);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * pdf(i * h);
  return (s * h) / 3;
}

/** Mean and standard error of per-sample contributions. */
function meanSe(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return [m, Math.sqrt(v / xs.length)];
}

/** Central difference of a float64 closed form. */
const fd = (f: (t: number) => number, t: number, h = 1e-5) => (f(t + h) - f(t - h)) / (2 * h);

describe("Gamma implicit reparameterisation", () => {
  it("dx/dalpha of each draw equals -(dF/dalpha) / (dF/dx), with F integrated numerically", () => {
    const alphas = [1.5, 3, 7, 1.5, 3, 7];
    const a = tf.tensor1d(alphas);
    const x = vals(dist.Gamma(a, 1).sample([], 99));
    const dxda = vals(tf.grad((al: tf.Tensor) => dist.Gamma(al, 1).sample([], 99).sum())(a));
    alphas.forEach((al, i) => {
      const dFda = (gammaCdf(al + 1e-4, x[i]!) - gammaCdf(al - 1e-4, x[i]!)) / 2e-4;
      const dFdx = Math.exp((al - 1) * Math.log(x[i]!) - x[i]! - lgamma64(al));
      expect(dxda[i]!).toBeCloseTo(-dFda / dFdx, 3);
    });
    a.dispose();
  });

  it("d/dalpha and d/drate of E[x^2] = a(a+1)/b^2 agree with the pathwise estimate (4 standard errors)", () => {
    const N = 20000;
    const [a0, b0] = [2.5, 1.5];
    const a = tf.fill([N], a0);
    const b = tf.fill([N], b0);
    const [ga, gb] = tf.grads((al: tf.Tensor, r: tf.Tensor) => dist.Gamma(al, r).sample([], 2024).square().sum())([a, b]);
    const [ma, sa] = meanSe(vals(ga!));
    const [mb, sb] = meanSe(vals(gb!));
    expect(Math.abs(ma - fd((t) => (t * (t + 1)) / b0 ** 2, a0))).toBeLessThan(4 * sa);
    expect(Math.abs(mb - fd((t) => (a0 * (a0 + 1)) / t ** 2, b0))).toBeLessThan(4 * sb);
    tf.dispose([a, b, ga!, gb!]);
  });

  it("works for concentrations below 1 (boosted draws): d/dalpha E[x] = 1", () => {
    const N = 20000;
    const a = tf.fill([N], 0.4);
    const g = vals(tf.grad((al: tf.Tensor) => dist.Gamma(al, 1).sample([], 7).sum())(a));
    const [m, se] = meanSe(g);
    expect(Math.abs(m - 1)).toBeLessThan(4 * se);
    a.dispose();
  });
});

describe("Beta, Dirichlet and StudentT draws are reparameterised", () => {
  it("Beta: gradients of E[x] = a / (a + b) in both concentrations", () => {
    const N = 20000;
    const [a0, b0] = [2, 3.5];
    const a = tf.fill([N], a0);
    const b = tf.fill([N], b0);
    expect(dist.Beta(a0, b0).hasRsample).toBe(true);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => dist.Beta(p, q).sample([], 11).sum())([a, b]);
    const [ma, sa] = meanSe(vals(ga!));
    const [mb, sb] = meanSe(vals(gb!));
    expect(Math.abs(ma - fd((t) => t / (t + b0), a0))).toBeLessThan(4 * sa);
    expect(Math.abs(mb - fd((t) => a0 / (a0 + t), b0))).toBeLessThan(4 * sb);
    tf.dispose([a, b, ga!, gb!]);
  });

  it("Dirichlet: gradient of E[x_0^2] = a_0 (a_0 + 1) / (A (A + 1)) in every concentration", () => {
    const N = 20000;
    const alpha = [1.5, 2, 4];
    const A = alpha.reduce((s, v) => s + v);
    const c = tf.tile(tf.tensor2d([alpha]), [N, 1]);
    const g = vals(tf.grad((k: tf.Tensor) => dist.Dirichlet(k).sample([], 5).slice([0, 0], [N, 1]).square().sum())(c));
    const closed = (al: number[]) => {
      const s = al.reduce((x, y) => x + y);
      return (al[0]! * (al[0]! + 1)) / (s * (s + 1));
    };
    for (let j = 0; j < 3; j++) {
      const [m, se] = meanSe(g.filter((_, i) => i % 3 === j));
      const want = fd((t) => closed(alpha.map((v, k) => (k === j ? t : v))), alpha[j]!);
      expect(Math.abs(m - want), `component ${j}, A=${A}`).toBeLessThan(4 * se);
    }
    c.dispose();
  });

  it("StudentT: gradient of E[x^2] = loc^2 + scale^2 df / (df - 2) in df, loc and scale", () => {
    const N = 20000;
    const [df0, m0, s0] = [9, 0.5, 1.2];
    const ps = [tf.fill([N], df0), tf.fill([N], m0), tf.fill([N], s0)];
    const gs = tf.grads((d: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => dist.StudentT(d, m, s).sample([], 3).square().sum())(ps);
    const closed = (d: number, m: number, s: number) => m * m + (s * s * d) / (d - 2);
    const want = [fd((t) => closed(t, m0, s0), df0), fd((t) => closed(df0, t, s0), m0), fd((t) => closed(df0, m0, t), s0)];
    gs.forEach((g, k) => {
      const [m, se] = meanSe(vals(g));
      expect(Math.abs(m - want[k]!), `parameter ${k}`).toBeLessThan(4 * se);
    });
    tf.dispose([...ps, ...gs]);
  });
});
