// LowRankMultivariateNormal against the dense Gaussian density computed in
// float64 here (Cholesky of W Wᵀ + diag(d)); LKJCholesky against the LKJ
// (2009) normalising constant and, at D = 2, the Beta(η, η) law of the
// correlation; MixtureSameFamily against a float64 logsumexp, also inside a
// plate. Sample moments (seeded, 4 standard errors), finite-difference
// gradients and validation messages for each.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  CorrCholeskyTransform, PPLConfigError, bijectTo, PPLShapeError, PPLSupportError, TraceELBO, corrCholesky, dist, plate, sample, setRngSeed, trace,
} from "ppl-core";
import { LOG_2PI, checkGradients, expectClose, expectMoments, logBeta64, thrown, vals } from "./helpers.js";

/** Lower Cholesky factor of a symmetric positive-definite n x n matrix (rows), float64. */
function chol64(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(s) : s / l[j]![j]!;
    }
  }
  return l;
}

/** log N(x | mu, W Wᵀ + diag(d)) by the dense covariance, float64. */
function lowRankLogPdf64(x: number[], mu: number[], W: number[][], d: number[]): number {
  const D = x.length;
  const cov = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => W[i]!.reduce((s, w, r) => s + w * W[j]![r]!, 0) + (i === j ? d[i]! : 0)));
  const l = chol64(cov);
  // forward substitution: z = L⁻¹ (x - mu)
  const z = new Array<number>(D).fill(0);
  for (let i = 0; i < D; i++) {
    let s = x[i]! - mu[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!;
    z[i] = s / l[i]![i]!;
  }
  const logDet = 2 * l.reduce((s, row, i) => s + Math.log(row[i]!), 0);
  return -0.5 * (z.reduce((s, v) => s + v * v, 0) + logDet + D * LOG_2PI);
}

const normalLogPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

describe("LowRankMultivariateNormal", () => {
  const mu = [0.5, -1, 2];
  const W = [[1, 0.3], [0.5, -0.2], [-0.4, 0.8]];
  const d = [0.3, 0.2, 0.4];

  it("logProb equals the dense Gaussian density of W Wᵀ + diag(d) at several points and batch shapes", () => {
    const xs = [[0, 0, 0], [1, -2, 3.5], [0.5, -1, 2], [-3, 1, 0]];
    tf.tidy(() => {
      const lp = dist.LowRankMultivariateNormal(mu, W, d).logProb(tf.tensor2d(xs));
      expect(lp.shape).toEqual([4]);
      expectClose(vals(lp), xs.map((x) => lowRankLogPdf64(x, mu, W, d)), 2e-5, 2e-5, "single");
    });
    // a batch of two covariances (covDiag [2, 3]) against values [4, 1, 3]
    const d2 = [d, [1, 2, 0.5]];
    tf.tidy(() => {
      const lp = dist.LowRankMultivariateNormal(mu, W, d2).logProb(tf.tensor3d(xs.map((x) => [x])));
      expect(lp.shape).toEqual([4, 2]);
      expectClose(vals(lp), xs.flatMap((x) => d2.map((dd) => lowRankLogPdf64(x, mu, W, dd))), 2e-5, 2e-5, "batched");
    });
  });

  it("entropy, mean, variance and covarianceMatrix are the closed forms", () => {
    const D = 3;
    const cov = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => W[i]!.reduce((s, w, r) => s + w * W[j]![r]!, 0) + (i === j ? d[i]! : 0)));
    const logDet = 2 * chol64(cov).reduce((s, row, i) => s + Math.log(row[i]!), 0);
    tf.tidy(() => {
      const m = dist.LowRankMultivariateNormal(mu, W, d);
      expectClose(vals(m.entropy()), [0.5 * D * (1 + LOG_2PI) + 0.5 * logDet], 1e-5, 1e-5, "entropy");
      expectClose(vals(m.mean), mu);
      expectClose(vals(m.variance), cov.map((row, i) => row[i]!));
      expectClose(vals(m.covarianceMatrix), cov.flat());
    });
  });

  it("seeded samples have the mean, the covariance and reproducibility; the draw is differentiable", () => {
    const m = dist.LowRankMultivariateNormal(mu, W, d);
    const n = 20000;
    const x = m.sample([n], 5);
    expect(x.shape).toEqual([n, 3]);
    const rows = x.arraySync() as number[][];
    const cov = (i: number, j: number) => W[i]!.reduce((s, w, r) => s + w * W[j]![r]!, 0) + (i === j ? d[i]! : 0);
    for (let i = 0; i < 3; i++) expectMoments(rows.map((r) => r[i]!), mu[i]!, cov(i, i), `coordinate ${i}`);
    // the covariance of (0, 2) through the variance of the sum: Var(x0 + x2) = Σ00 + Σ22 + 2 Σ02
    expectMoments(rows.map((r) => r[0]! + r[2]!), mu[0]! + mu[2]!, cov(0, 0) + cov(2, 2) + 2 * cov(0, 2), "x0 + x2");
    expect(vals(m.sample([3], 5))).toEqual(vals(x).slice(0, 9));
    x.dispose();
    expect(m.hasRsample).toBe(true);
    // d E[x] / d loc = 1 through the reparameterised draw
    const g = tf.grad((loc: tf.Tensor) => dist.LowRankMultivariateNormal(loc, W, d).sample([10], 2).sum())(tf.tensor1d(mu));
    expectClose(vals(g), [10, 10, 10], 1e-4, 0, "pathwise");
    g.dispose();
  });

  it("gradients of logProb in loc, covFactor and covDiag match central differences of the dense density", () => {
    const x = tf.tensor2d([[1, -2, 3.5], [0, 0, 0]]);
    const xs = [[1, -2, 3.5], [0, 0, 0]];
    const rowsOf = (flat: number[], cols: number) => Array.from({ length: flat.length / cols }, (_, i) => flat.slice(i * cols, (i + 1) * cols));
    checkGradients(
      (l, w, dd) => dist.LowRankMultivariateNormal(l!, w!, dd!).logProb(x),
      ([l, w, dd]) => xs.map((v) => lowRankLogPdf64(v, l!, rowsOf(w!, 2), dd!)),
      [{ values: mu, shape: [3] }, { values: W.flat(), shape: [3, 2] }, { values: d, shape: [3] }],
      3e-3,
      "LowRankMultivariateNormal",
    );
    x.dispose();
  });

  it("validates its parameters with messages naming it", () => {
    const e = thrown(() => dist.LowRankMultivariateNormal(mu, W, [0.3, -0.2, 0.4]));
    expect(e).toBeInstanceOf(PPLSupportError);
    expect(e.message).toMatch(/^LowRankMultivariateNormal: parameter 'covDiag' must be positive, but element 1 is -0.2/);
    expect(() => dist.LowRankMultivariateNormal([0, NaN, 0], W, d)).toThrow(/^LowRankMultivariateNormal: parameter 'loc' must be real, but element 1 is NaN/);
    expect(() => dist.LowRankMultivariateNormal(mu, [[1, Infinity], [0, 0], [0, 0]], d)).toThrow(/^LowRankMultivariateNormal: parameter 'covFactor' must be real, but element 1 is Infinity/);
    const s = thrown(() => dist.LowRankMultivariateNormal(mu, [[1], [2]], d));
    expect(s).toBeInstanceOf(PPLShapeError);
    expect(s.message).toMatch(/^LowRankMultivariateNormal: parameter 'covFactor' must have shape \[\.\.\., 3, R\] to match loc \[3\], got \[2, 1\]/);
    expect(() => dist.LowRankMultivariateNormal(mu, W, [1, 1])).toThrow(/^LowRankMultivariateNormal: parameter 'covDiag' must have shape \[\.\.\., 3\] to match loc \[3\], got \[2\]/);
    expect(() => dist.LowRankMultivariateNormal(mu, [1, 2, 3], d)).toThrow(/^LowRankMultivariateNormal: parameter 'covFactor' must have shape \[\.\.\., D, R\], got \[3\]/);
  });
});

/**
 * log of the LKJ (2009) normalising constant c_D(η) of the correlation-matrix density det(R)^(η-1) / c_D,
 * Lewandowski, Kurowicka and Joe, eq. (16): Σ_{k=1}^{D-1} [(2η - 2 + D - k)(D - k) log 2 + (D - k) log B(η + (D-k-1)/2, η + (D-k-1)/2)].
 */
function logLkjConstant(D: number, eta: number): number {
  let s = 0;
  for (let k = 1; k < D; k++) {
    const b = eta + (D - k - 1) / 2;
    s += (2 * eta - 2 + D - k) * (D - k) * Math.LN2 + (D - k) * logBeta64(b, b);
  }
  return s;
}

/** log p(L) of the LKJ Cholesky factor: the correlation density times the Jacobian Π_i L_ii^(D - i) (1-based i). */
function lkjCholLogPdf64(L: number[][], eta: number): number {
  const D = L.length;
  let s = 0;
  for (let i = 2; i <= D; i++) s += (2 * (eta - 1) + D - i) * Math.log(L[i - 1]![i - 1]!);
  return s - logLkjConstant(D, eta);
}

/** A D x D correlation Cholesky factor from rows of free entries, each scaled into the unit ball. */
function corrChol(free: number[][]): number[][] {
  const D = free.length + 1;
  const L = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  L[0]![0] = 1;
  free.forEach((row, r) => {
    const i = r + 1;
    row.forEach((v, j) => (L[i]![j] = v));
    L[i]![i] = Math.sqrt(1 - row.reduce((s, v) => s + v * v, 0));
  });
  return L;
}

describe("LKJCholesky", () => {
  it("at D = 2 the correlation r = L[1][0] has the Beta(η, η) law on (-1, 1)", () => {
    const etas = [0.5, 1, 3.5];
    const rs = [-0.9, 0.1, 0.6];
    const Ls = rs.map((r) => corrChol([[r]]));
    tf.tidy(() => {
      const lp = dist.LKJCholesky(2, tf.tensor1d(etas)).logProb(tf.tensor3d(Ls));
      expect(lp.shape).toEqual([3]);
      // Beta(η, η) density of (r + 1) / 2, times 1/2 for the change of variable
      const truth = rs.map((r, i) => {
        const u = (r + 1) / 2;
        const e = etas[i]!;
        return (e - 1) * Math.log(u) + (e - 1) * Math.log(1 - u) - logBeta64(e, e) - Math.LN2;
      });
      expectClose(vals(lp), truth, 2e-5, 2e-5, "D = 2");
    });
  });

  it("logProb at D = 3, 4 equals the LKJ normaliser with the Cholesky Jacobian; gradient in η by finite differences", () => {
    const L3 = corrChol([[0.3], [-0.2, 0.5]]);
    const L4 = corrChol([[0.6], [0.1, -0.3], [-0.4, 0.2, 0.25]]);
    for (const [L, eta] of [[L3, 2.5], [L4, 0.7], [L4, 4]] as const) {
      tf.tidy(() => expectClose(vals(dist.LKJCholesky(L.length, eta).logProb(tf.tensor2d(L))), [lkjCholLogPdf64(L, eta)], 2e-5, 2e-5, `D = ${L.length}`));
    }
    const l4 = tf.tensor2d(L4);
    checkGradients((e) => dist.LKJCholesky(4, e!).logProb(l4), ([e]) => e!.map((v) => lkjCholLogPdf64(L4, v)), [{ values: [0.7, 2, 4], shape: [3] }], 2e-3, "η");
    l4.dispose();
  });

  it("at D = 3 the density integrates to 1 over the free entries (L10 in (-1, 1), (L20, L21) in the unit disk)", () => {
    const eta = 2;
    const n = 40;
    const pts: number[][][] = [];
    const h = 2 / n;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        for (let c = 0; c < n; c++) {
          const [x, y, z] = [-1 + (a + 0.5) * h, -1 + (b + 0.5) * h, -1 + (c + 0.5) * h];
          if (y * y + z * z < 1) pts.push(corrChol([[x], [y, z]]));
        }
      }
    }
    const total = tf.tidy(() => dist.LKJCholesky(3, eta).logProb(tf.tensor3d(pts)).exp().sum().dataSync()[0]!) * h ** 3;
    expect(Math.abs(total - 1)).toBeLessThan(0.02);
  });

  it("seeded samples are correlation Cholesky factors whose off-diagonal correlations have mean 0 and variance 1 / (2η + D - 1)", () => {
    for (const [D, eta] of [[3, 1.5], [4, 0.8]] as const) {
      const n = 6000;
      const L = dist.LKJCholesky(D, eta).sample([n], 11);
      expect(L.shape).toEqual([n, D, D]);
      const ok = tf.tidy(() => vals(dist.LKJCholesky(D, eta).support.check(L)));
      expect(ok.every((v) => v === 1)).toBe(true);
      const mats = L.arraySync() as number[][][];
      L.dispose();
      // every marginal correlation of LKJ(η) in D dims is 2 Beta(η - 1 + D/2, η - 1 + D/2) - 1 (LKJ 2009, §3.2)
      const variance = 1 / (2 * eta + D - 1);
      for (let i = 1; i < D; i++) {
        for (let j = 0; j < i; j++) {
          const r = mats.map((m) => m[i]!.reduce((s, v, k) => s + v * m[j]![k]!, 0));
          expectMoments(r, 0, variance, `D = ${D}, r[${i}][${j}]`);
        }
      }
    }
    expect(dist.LKJCholesky(3, tf.tensor1d([1, 2])).sample([2], 1).shape).toEqual([2, 2, 3, 3]);
  });

  it("validates dim and concentration with messages naming it", () => {
    const e = thrown(() => dist.LKJCholesky(1, 1));
    expect(e).toBeInstanceOf(PPLConfigError);
    expect(e.message).toMatch(/^LKJCholesky: 'dim' must be an integer >= 2, got 1/);
    expect(() => dist.LKJCholesky(2.5)).toThrow(/^LKJCholesky: 'dim' must be an integer >= 2, got 2.5/);
    const c = thrown(() => dist.LKJCholesky(3, [1, 0]));
    expect(c).toBeInstanceOf(PPLSupportError);
    expect(c.message).toMatch(/^LKJCholesky: parameter 'concentration' must be positive, but element 1 is 0/);
    tf.tidy(() => {
      const s = dist.LKJCholesky(2).support;
      expect(vals(s.check(tf.tensor3d([corrChol([[0.5]]), [[1, 0], [0.5, 0.5]], [[1, 0.1], [0, 1]], [[1, 0], [0.6, -0.8]]])))).toEqual([1, 0, 0, 0]);
    });
  });
});

/** Stan's / torch's corr-Cholesky map in float64: tanh, then each row stick-broken onto the unit sphere. */
function corrCholForward64(x: number[]): number[][] {
  const D = Math.round((1 + Math.sqrt(1 + 8 * x.length)) / 2);
  const L = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  L[0]![0] = 1;
  let o = 0;
  for (let i = 1; i < D; i++) {
    let left = 1;
    for (let j = 0; j < i; j++) {
      const z = Math.tanh(x[o++]!);
      L[i]![j] = z * Math.sqrt(left);
      left -= L[i]![j]! ** 2;
    }
    L[i]![i] = Math.sqrt(left);
  }
  return L;
}

/** log |det A| by Gaussian elimination with partial pivoting, float64. */
function logAbsDet64(a: number[][]): number {
  const m = a.map((r) => [...r]);
  const n = m.length;
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    s += Math.log(Math.abs(m[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return s;
}

describe("CorrCholeskyTransform (the unconstrained map onto LKJCholesky's support)", () => {
  const x = [0.3, -1.2, 0.5, 2, -0.4, 0.9]; // D = 4
  it("forward is the float64 tanh-and-stick-breaking map, lands in the support, and inverse undoes it", () => {
    const t = new CorrCholeskyTransform();
    tf.tidy(() => {
      const y = t.forward(tf.tensor2d([x, x.map((v) => -v / 2)]));
      expect(y.shape).toEqual([2, 4, 4]);
      expect(t.forwardShape([2, 6])).toEqual([2, 4, 4]);
      expect(t.inverseShape([2, 4, 4])).toEqual([2, 6]);
      expectClose(vals(y), [...corrCholForward64(x).flat(), ...corrCholForward64(x.map((v) => -v / 2)).flat()], 1e-6, 1e-5, "forward");
      expect(vals(corrCholesky.check(y))).toEqual([1, 1]);
      expectClose(vals(t.inverse(y)), [...x, ...x.map((v) => -v / 2)], 1e-4, 1e-4, "inverse");
    });
    expect(() => t.forward(tf.zeros([5]))).toThrow(/^CorrCholeskyTransform: the last dim \(5\) must be D \(D - 1\) \/ 2/);
  });

  it("logAbsDetJacobian is log |det| of the float64 Jacobian of x -> the strict lower triangle of L", () => {
    const lower = (v: number[]) => {
      const L = corrCholForward64(v);
      return L.flatMap((row, i) => row.slice(0, i));
    };
    const h = 1e-6;
    const J = x.map((_, k) => {
      const up = [...x];
      const dn = [...x];
      up[k]! += h;
      dn[k]! -= h;
      const a = lower(up);
      const b = lower(dn);
      return a.map((v, i) => (v - b[i]!) / (2 * h));
    });
    const t = new CorrCholeskyTransform();
    tf.tidy(() => {
      const xt = tf.tensor1d(x);
      expectClose(vals(t.logAbsDetJacobian(xt, t.forward(xt))), [logAbsDet64(J)], 1e-4, 1e-4, "log|det J|");
    });
    // the forward map is differentiable: its entries' gradients against central differences of the float64 map
    checkGradients((v) => t.forward(v!), ([v]) => corrCholForward64(v!).flat(), [{ values: x, shape: [6] }], 2e-3, "forward");
  });
});

describe("MixtureSameFamily", () => {
  const w = [0.3, 0.7];
  const locs = [-1, 2];
  const scales = [0.5, 1.5];
  const mixLogPdf = (x: number, ws = w, ls = locs, ss = scales) => lse(ws.map((wk, k) => Math.log(wk) + normalLogPdf(x, ls[k]!, ss[k]!)));

  it("logProb is logsumexp_k (log w_k + log p_k(x)) for scalar and vector events and batch shapes", () => {
    const xs = [-2, 0, 0.5, 3];
    tf.tidy(() => {
      const m = dist.MixtureSameFamily(dist.Categorical(w), dist.Normal(locs, scales));
      expect(m.batchShape).toEqual([]);
      expectClose(vals(m.logProb(tf.tensor1d(xs))), xs.map((x) => mixLogPdf(x)), 2e-5, 2e-5, "scalar");
    });
    // a batch of 3 mixtures sharing the weights, components [3, 2]
    const L = [[-1, 2], [0, 1], [3, -3]];
    tf.tidy(() => {
      const m = dist.MixtureSameFamily(dist.Categorical(w), dist.Normal(tf.tensor2d(L), tf.tensor1d(scales)));
      expect(m.batchShape).toEqual([3]);
      const lp = m.logProb(tf.tensor2d([[0.5], [-1]]));
      expect(lp.shape).toEqual([2, 3]);
      expectClose(vals(lp), [0.5, -1].flatMap((x) => L.map((ls) => mixLogPdf(x, w, ls))), 2e-5, 2e-5, "batched");
    });
    // vector events: components are independent 2-d Normals (toEvent), locs [2 comps, 2 dims]
    tf.tidy(() => {
      const comp = dist.Normal(tf.tensor2d([[0, 1], [2, -1]]), 0.8).toEvent(1);
      const m = dist.MixtureSameFamily(dist.Categorical(w), comp);
      expect(m.eventShape).toEqual([2]);
      const x = [0.5, 0.2];
      const truth = lse([[0, 1], [2, -1]].map((c, k) => Math.log(w[k]!) + normalLogPdf(x[0]!, c[0]!, 0.8) + normalLogPdf(x[1]!, c[1]!, 0.8)));
      expectClose(vals(m.logProb(tf.tensor1d(x))), [truth], 2e-5, 2e-5, "vector event");
    });
  });

  it("inside a plate: the trace's log-likelihood and TraceELBO's loss are the float64 mixture sums", () => {
    const xs = [-1.5, -0.2, 0.4, 1.9, 2.6, 4];
    function* model() {
      const mix = dist.MixtureSameFamily(dist.Categorical(w), dist.Normal(locs, scales));
      yield* plate("data", xs.length, function* () {
        yield* sample("x", mix.expand([xs.length]), { obs: xs });
      });
    }
    const truth = xs.reduce((s, x) => s + mixLogPdf(x), 0);
    const tr = trace(model).getTrace();
    const site = tr.nodes.get("x");
    expect(site?.type).toBe("sample");
    tf.tidy(() => expectClose([tr.logProbSum().dataSync()[0]!], [truth], 1e-4, 1e-5, "trace"));
    function* guide() {}
    expect(Math.abs(new TraceELBO().loss(model, guide) + truth)).toBeLessThan(1e-4 * Math.abs(truth));
    // per-datum mixtures in a plate: weights [n, 2], components [n, 2]
    const ws = xs.map((_, i) => [0.2 + 0.1 * (i % 3), 0.8 - 0.1 * (i % 3)]);
    function* perDatum() {
      yield* plate("data", xs.length, function* () {
        yield* sample("x", dist.MixtureSameFamily(dist.Categorical(tf.tensor2d(ws)), dist.Normal(locs, scales).expand([xs.length, 2])), { obs: xs });
      });
    }
    const truth2 = xs.reduce((s, x, i) => s + mixLogPdf(x, ws[i]), 0);
    expect(Math.abs(new TraceELBO().loss(perDatum, guide) + truth2)).toBeLessThan(1e-4 * Math.abs(truth2));
  });

  it("seeded samples have the mixture's mean and variance; cdf is Σ w_k Φ_k", () => {
    setRngSeed(0);
    const m = dist.MixtureSameFamily(dist.Categorical(w), dist.Normal(locs, scales));
    const mean = w[0]! * locs[0]! + w[1]! * locs[1]!;
    const second = w.reduce((s, wk, k) => s + wk * (scales[k]! ** 2 + locs[k]! ** 2), 0);
    const x = m.sample([20000], 21);
    expectMoments(vals(x), mean, second - mean * mean, "mixture");
    expect(vals(m.sample([4], 21))).toEqual(vals(x).slice(0, 4));
    x.dispose();
    tf.tidy(() => {
      expectClose(vals(m.mean), [mean]);
      expectClose(vals(m.variance), [second - mean * mean], 1e-5, 1e-5);
      // the truth: the float64 mixture pdf integrated by the midpoint rule from -20
      const cdf64 = (x0: number) => {
        const n = 20000;
        const a = -20;
        let s = 0;
        for (let i = 0; i < n; i++) {
          const u = a + ((x0 - a) * (i + 0.5)) / n;
          s += Math.exp(mixLogPdf(u));
        }
        return (s * (x0 - a)) / n;
      };
      expectClose(vals(m.cdf(tf.tensor1d([-1, 0.5, 3]))), [-1, 0.5, 3].map(cdf64), 1e-5, 1e-4, "cdf");
    });
  });

  it("gradients of logProb in the weights and the component parameters match central differences", () => {
    const x = tf.tensor1d([-0.5, 1.2, 3]);
    checkGradients(
      (p, l, s) => dist.MixtureSameFamily(dist.Categorical(p!), dist.Normal(l!, s!)).logProb(x),
      ([p, l, s]) => [-0.5, 1.2, 3].map((v) => mixLogPdf(v, p!.map((q) => q / (p![0]! + p![1]!)), l!, s!)),
      [{ values: w, shape: [2] }, { values: locs, shape: [2] }, { values: scales, shape: [2] }],
      2e-3,
      "MixtureSameFamily",
    );
    x.dispose();
  });

  it("rejects a non-Categorical mixture and a component count that does not match", () => {
    const e = thrown(() => dist.MixtureSameFamily(dist.Normal(0, 1) as never, dist.Normal(locs, scales)));
    expect(e).toBeInstanceOf(PPLConfigError);
    expect(e.message).toMatch(/^MixtureSameFamily: the mixture distribution must be a Categorical, got Normal/);
    const s = thrown(() => dist.MixtureSameFamily(dist.Categorical([0.2, 0.3, 0.5]), dist.Normal(locs, scales)));
    expect(s).toBeInstanceOf(PPLShapeError);
    expect(s.message).toMatch(/^MixtureSameFamily: the component Normal's batch shape \[2\] must end in the 3 mixture components/);
    expect(() => dist.MixtureSameFamily(dist.Categorical(tf.tensor2d([[0.5, 0.5], [0.5, 0.5]])), dist.Normal(tf.zeros([3, 2]), 1))).toThrow(
      /^MixtureSameFamily mixture and component batch shapes/,
    );
  });
});

describe("an LKJCholesky site under an autoguide's bijection", () => {
  it("bijectTo(corrCholesky) is the CorrCholeskyTransform, round-tripping a factor", () => {
    const t = bijectTo(corrCholesky);
    expect(t).toBeInstanceOf(CorrCholeskyTransform);
    // 2x2: L = [[1, 0], [r, sqrt(1 - r²)]] ← tanh(x) = r
    const y = t.forward(tf.tensor([0.5]));
    const r = Math.tanh(0.5);
    const got = Array.from(y.dataSync());
    [1, 0, r, Math.sqrt(1 - r * r)].forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
    expect(t.inverse(y).dataSync()[0]).toBeCloseTo(0.5, 5);
  });
});
