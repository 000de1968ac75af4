// MultivariateNormal (scaleTril or covarianceMatrix) and Dirichlet: log-densities
// against float64 closed forms, normalisation, seeded moments, gradients.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { LOG_2PI, checkGradients, expectClose, lgamma64, vals } from "./helpers.js";

/** float64 MVN log-density with a lower-triangular factor L (row-major D x D). */
function mvnLp(x: number[], loc: number[], L: number[]): number {
  const D = loc.length;
  const z = new Array<number>(D).fill(0);
  let logDet = 0;
  for (let i = 0; i < D; i++) {
    let s = x[i]! - loc[i]!;
    for (let k = 0; k < i; k++) s -= L[i * D + k]! * z[k]!;
    z[i] = s / L[i * D + i]!;
    logDet += Math.log(L[i * D + i]!);
  }
  return -0.5 * z.reduce((a, v) => a + v * v, 0) - logDet - (D / 2) * LOG_2PI;
}

const L3 = [1.2, 0, 0, 0.4, 0.8, 0, -0.5, 0.3, 1.5];
const cov3 = (() => {
  const c = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) c[i * 3 + j]! += L3[i * 3 + k]! * L3[j * 3 + k]!;
  return c;
})();

describe("MultivariateNormal", () => {
  it("logProb matches the closed form, batched over loc and over values, in both parameterisations", () => {
    tf.tidy(() => {
      const loc = [0.5, -1, 2, 0, 0.3, -0.7];
      const x = [1, 0, 2.5, -1, 0.2, 0.1, 0.4, 0.4, 0.4];
      const byTril = dist.MultivariateNormal(tf.tensor2d(loc, [2, 3]), { scaleTril: tf.tensor2d(L3, [3, 3]) });
      const byCov = dist.MultivariateNormal(tf.tensor2d(loc, [2, 3]), { covarianceMatrix: tf.tensor2d(cov3, [3, 3]) });
      expect(byTril.batchShape).toEqual([2]);
      expect(byTril.eventShape).toEqual([3]);
      const xv = tf.tensor3d(x, [3, 1, 3]);
      const want: number[] = [];
      for (let s = 0; s < 3; s++) for (let b = 0; b < 2; b++) want.push(mvnLp(x.slice(s * 3, s * 3 + 3), loc.slice(b * 3, b * 3 + 3), L3));
      expectClose(vals(byTril.logProb(xv)), want, 2e-5, 2e-5);
      expectClose(vals(byCov.logProb(xv)), want, 1e-4, 1e-4);
      expectClose(vals(byCov.scaleTril), L3, 1e-6);
      expectClose(vals(byTril.covarianceMatrix), cov3, 1e-6);
    });
  });

  it("the 2-D density integrates to 1", () => {
    const L = [0.8, 0, 0.5, 0.6];
    const d = dist.MultivariateNormal([0.3, -0.2], { scaleTril: tf.tensor2d(L, [2, 2]) });
    const n = 300;
    const [a, b] = [-6, 6];
    const h = (b - a) / n;
    const pts: number[] = [];
    for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) pts.push(a + i * h, a + j * h);
    const p = tf.tidy(() => vals(d.logProb(tf.tensor2d(pts, [(n + 1) * (n + 1), 2])).exp()));
    const total = p.reduce((s, v) => s + v, 0) * h * h; // the density is ~0 on the border
    expect(total).toBeCloseTo(1, 3);
  });

  it("seeded samples have the right mean and covariance (4 standard errors), reproducibly", () => {
    const N = 20000;
    const loc = [1, -2, 0.5];
    const d = dist.MultivariateNormal(loc, { scaleTril: tf.tensor2d(L3, [3, 3]) });
    const xs = vals(d.sample([N], 42));
    expect(vals(d.sample([N], 42))).toEqual(xs);
    for (let i = 0; i < 3; i++) {
      const m = xs.filter((_, k) => k % 3 === i).reduce((a, v) => a + v, 0) / N;
      expect(Math.abs(m - loc[i]!)).toBeLessThan(4 * Math.sqrt(cov3[i * 4]! / N));
    }
    for (const [i, j] of [[0, 0], [1, 0], [2, 1], [2, 2]] as const) {
      let c = 0;
      for (let k = 0; k < N; k++) c += (xs[k * 3 + i]! - loc[i]!) * (xs[k * 3 + j]! - loc[j]!);
      c /= N;
      const se = Math.sqrt((cov3[i * 3 + i]! * cov3[j * 3 + j]! + cov3[i * 3 + j]! ** 2) / N);
      expect(Math.abs(c - cov3[i * 3 + j]!), `cov[${i},${j}]`).toBeLessThan(4 * se);
    }
    expectClose(vals(d.mean), loc, 1e-6);
    expectClose(vals(d.variance), [cov3[0]!, cov3[4]!, cov3[8]!], 1e-5);
  });

  it("gradients of logProb in loc and scaleTril match central differences", () => {
    const x = tf.tensor2d([0.3, 1, -1, 2, 0.5, 0.1], [2, 3]);
    checkGradients(
      (loc, L) => dist.MultivariateNormal(loc!, { scaleTril: L! }).logProb(x),
      ([loc, L]) => [mvnLp([0.3, 1, -1], loc!, L!), mvnLp([2, 0.5, 0.1], loc!, L!)],
      [{ values: [0.1, 0.2, 0.3], shape: [3] }, { values: L3, shape: [3, 3] }],
    );
    x.dispose();
  });

  it("gradients of logProb in covarianceMatrix match central differences along symmetric directions", () => {
    const x = [0.3, 1, -1];
    const lpCov = (c: number[]) => {
      const L = new Array<number>(9).fill(0);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j <= i; j++) {
          let s = c[i * 3 + j]!;
          for (let k = 0; k < j; k++) s -= L[i * 3 + k]! * L[j * 3 + k]!;
          L[i * 3 + j] = i === j ? Math.sqrt(s) : s / L[j * 3 + j]!;
        }
      return mvnLp(x, [0, 0, 0], L);
    };
    const g = vals(tf.grad((c: tf.Tensor) => dist.MultivariateNormal(tf.zeros([3]), { covarianceMatrix: c }).logProb(tf.tensor1d(x)))(tf.tensor2d(cov3, [3, 3])));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j <= i; j++) {
        const up = [...cov3];
        const dn = [...cov3];
        for (const [r, s] of i === j ? [[i, j]] : [[i, j], [j, i]]) {
          up[r! * 3 + s!]! += 1e-5;
          dn[r! * 3 + s!]! -= 1e-5;
        }
        const want = (lpCov(up) - lpCov(dn)) / 2e-5;
        const got = i === j ? g[i * 4]! : g[i * 3 + j]! + g[j * 3 + i]!;
        expect(got).toBeCloseTo(want, 3);
      }
  });

  it("samples are reparameterised: d/dloc of E[sum x] is 1 per coordinate", () => {
    const g = vals(tf.grad((loc: tf.Tensor) => dist.MultivariateNormal(loc, { scaleTril: tf.tensor2d(L3, [3, 3]) }).sample([100], 1).mean(0).sum())(tf.zeros([3])));
    expectClose(g, [1, 1, 1], 1e-5);
  });
});

describe("Dirichlet", () => {
  const dirLp = (x: number[], a: number[]) =>
    lgamma64(a.reduce((s, v) => s + v)) + a.reduce((s, ai, i) => s + (ai - 1) * Math.log(x[i]!) - lgamma64(ai), 0);

  it("gradients of logProb in the concentration match central differences", () => {
    const x = tf.tensor2d([0.2, 0.5, 0.3, 0.6, 0.1, 0.3], [2, 3]);
    checkGradients(
      (c) => dist.Dirichlet(c!).logProb(x),
      ([c]) => [dirLp([0.2, 0.5, 0.3], c!.slice(0, 3)), dirLp([0.6, 0.1, 0.3], c!.slice(3))],
      [{ values: [0.7, 2, 3.5, 1.2, 1, 5], shape: [2, 3] }],
    );
    x.dispose();
  });

  it("a Dirichlet(1, 1) integrates to 1 along the 1-simplex", () => {
    // on the 1-simplex (x, 1 - x) the density w.r.t. x is Beta(a0, a1)
    const d = dist.Dirichlet([2.5, 1.5]);
    const n = 20000;
    const xs: number[] = [];
    for (let i = 1; i < n; i++) xs.push(i / n, 1 - i / n);
    const p = tf.tidy(() => vals(d.logProb(tf.tensor2d(xs, [n - 1, 2])).exp()));
    expect(p.reduce((s, v) => s + v, 0) / n).toBeCloseTo(1, 3);
  });
});

describe("MultivariateNormal above rank 6", () => {
  it("a batch of rank 6 (rank-8 matrices) scores each value as the float64 closed form does", () => {
    // L = [[2, 0], [0.5, 1]]: z = L⁻¹ v, log p = -z·z/2 - log 2 - log 2π (log det L = log 2)
    const d = dist.MultivariateNormal(tf.zeros([2]), { scaleTril: tf.tensor2d([[2, 0], [0.5, 1]]) });
    const shape = [2, 1, 2, 1, 1, 2, 2];
    const n = shape.reduce((a, b) => a * b, 1) / 2;
    const v = Array.from({ length: 2 * n }, (_, i) => Math.sin(1.3 * i) * 2);
    const expected = Array.from({ length: n }, (_, k) => {
      const z0 = v[2 * k]! / 2;
      const z1 = v[2 * k + 1]! - 0.5 * z0;
      return -(z0 * z0 + z1 * z1) / 2 - Math.log(2) - LOG_2PI;
    });
    const lp = tf.tidy(() => vals(d.logProb(tf.tensor(v, shape))));
    expectClose(lp, expected, 1e-5);
  });
});
