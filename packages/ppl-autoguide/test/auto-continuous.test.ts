// AutoDiagonalNormal, AutoMultivariateNormal, AutoLowRankMultivariateNormal on a
// linear-Gaussian model whose posterior is an exact, correlated Gaussian
// (Pyro's tests/infer/test_autoguide.py test_exact / test_quantiles in spirit).
// Truth: the posterior mean and covariance from the normal equations in float64;
// for the mean-field guide, the KL(q‖p) optimum's sd 1/sqrt(Λ_ii) with Λ the
// posterior precision.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  ClippedAdam, type Constraint, PPLConfigError, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, plate, sample, setRngSeed, trace, type Model,
} from "ppl-core";
import {
  AutoDiagonalNormal, AutoLowRankMultivariateNormal, AutoMultivariateNormal, initToFeasible, initToMean, initToValue,
  type AutoContinuous,
} from "ppl-autoguide";

// y_i ~ N(c + w·x_i, sigma), c ~ N(0, tau), w ~ N(0, tau)^2. x_i0 > 0, so c and w_0 are anticorrelated (-0.76).
const tau = 2;
const sigma = 0.5;
const xs = [[0.2, 0.5], [0.8, -0.4], [1.2, 0.9], [1.6, 0.1], [0.5, 1.3], [1.9, 1.0]];
const ys = [0.45, 1.38, 1.12, 2.18, -0.01, 1.7];

function* model(x: tf.Tensor2D, y: tf.Tensor1D) {
  const c = yield* sample("c", dist.Normal(0, tau));
  const w = yield* sample("w", dist.Normal(0, tau).expand([2]).toEvent(1));
  yield* plate("data", x.shape[0], function* () {
    yield* sample("y", dist.Normal(c.add(x.matMul(w.reshape([2, 1])).reshape([-1])), sigma), { obs: y });
  });
}

/** The exact posterior of (c, w0, w1): precision Λ = I/tau² + Xᵀ X/sigma², mean Λ⁻¹ Xᵀ y/sigma². */
function exactPosterior(): { mean: number[]; cov: number[][]; precision: number[][] } {
  const X = xs.map((r) => [1, ...r]);
  const P = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 / tau ** 2 : 0) + X.reduce((s, r) => s + r[i]! * r[j]!, 0) / sigma ** 2));
  const b = [0, 1, 2].map((i) => X.reduce((s, r, k) => s + r[i]! * ys[k]!, 0) / sigma ** 2);
  const cov = invert3(P);
  return { mean: cov.map((row) => row.reduce((s, v, j) => s + v * b[j]!, 0)), cov, precision: P };
}

function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const L = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(s) : s / L[j]![j]!;
    }
  }
  return L;
}

function forwardSolve(L: number[][], b: number[]): number[] {
  const x: number[] = [];
  for (let i = 0; i < b.length; i++) x.push((b[i]! - x.reduce((s, v, k) => s + L[i]![k]! * v, 0)) / L[i]![i]!);
  return x;
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const det = a! * (e! * i! - f! * h!) - b! * (d! * i! - f! * g!) + c! * (d! * h! - e! * g!);
  return [
    [e! * i! - f! * h!, c! * h! - b! * i!, b! * f! - c! * e!],
    [f! * g! - d! * i!, a! * i! - c! * g!, c! * d! - a! * f!],
    [d! * h! - e! * g!, b! * g! - a! * h!, a! * e! - b! * d!],
  ].map((row) => row.map((v) => v / det));
}

const exact = exactPosterior();
const exactSd = [0, 1, 2].map((i) => Math.sqrt(exact.cov[i]![i]!));
const exactCorr = (i: number, j: number) => exact.cov[i]![j]! / (exactSd[i]! * exactSd[j]!);
const data = [tf.tensor2d(xs), tf.tensor1d(ys)] as const;

type Args = [tf.Tensor2D, tf.Tensor1D];
const guides: [string, () => AutoContinuous<Args>][] = [
  ["AutoMultivariateNormal", () => new AutoMultivariateNormal(model as Model<Args>)],
  ["AutoLowRankMultivariateNormal", () => new AutoLowRankMultivariateNormal(model as Model<Args>, { rank: 2 })],
  ["AutoDiagonalNormal", () => new AutoDiagonalNormal(model as Model<Args>)],
];

function fit(makeGuide: () => AutoContinuous<Args>): AutoContinuous<Args> {
  clearParamStore();
  setRngSeed(1);
  const guide = makeGuide();
  const svi = new SVI(model as Model<Args>, guide, new ClippedAdam({ lr: 0.06, lrd: 0.996 }), new TraceELBO({ numParticles: 2 }));
  for (let i = 0; i < 700; i++) svi.step(...data);
  return guide;
}

/** (c, w0, w1) of a site-values record: c [...], w [..., 2]. */
function flat(values: Record<string, tf.Tensor>): number[][] {
  const c = Array.from(values.c!.dataSync());
  const w = Array.from(values.w!.dataSync());
  return c.map((ci, k) => [ci, w[2 * k]!, w[2 * k + 1]!]);
}

describe("AutoContinuous guides against the exact Gaussian posterior", () => {
  for (const [name, makeGuide] of guides) {
    it(`${name}: test_exact — median, sd and correlations`, () => {
      const guide = fit(makeGuide);
      expect(guide.siteNames).toEqual(["c", "w"]);
      expect(guide.latentDim).toBe(3);
      const median = flat(guide.median(...data))[0]!;
      const cov = guide.covariance(...data).arraySync() as number[][];
      const sd = cov.map((row, i) => Math.sqrt(row[i]!));
      const corr = (i: number, j: number) => cov[i]![j]! / (sd[i]! * sd[j]!);
      for (let i = 0; i < 3; i++) expect(Math.abs(median[i]! - exact.mean[i]!)).toBeLessThan(0.1 * exactSd[i]!);
      if (name === "AutoDiagonalNormal") {
        // mean field: no correlation, and the sds shrink to the conditional ones 1/sqrt(Λ_ii)
        expect(corr(0, 1)).toBe(0);
        for (let i = 0; i < 3; i++) {
          const meanFieldSd = 1 / Math.sqrt(exact.precision[i]![i]!);
          expect(Math.abs(sd[i]! - meanFieldSd) / meanFieldSd).toBeLessThan(0.1);
          expect(sd[i]!).toBeLessThan(0.8 * exactSd[i]!);
        }
      } else {
        for (let i = 0; i < 3; i++) expect(Math.abs(sd[i]! - exactSd[i]!) / exactSd[i]!).toBeLessThan(0.15);
        for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) expect(Math.abs(corr(i, j) - exactCorr(i, j))).toBeLessThan(0.1);
        expect(Math.abs(exactCorr(0, 1))).toBeGreaterThan(0.5); // the posterior really is correlated
      }

      // test_quantiles: marginal quantiles are the guide's Normal quantiles, and bracket the exact posterior's
      const q = flat(guide.quantiles([0.1, 0.5, 0.9], ...data));
      for (let i = 0; i < 3; i++) {
        expect(q[1]![i]!).toBeCloseTo(median[i]!, 5);
        expect(q[2]![i]! - q[1]![i]!).toBeCloseTo(1.2815515655446004 * sd[i]!, 4);
        expect(q[1]![i]! - q[0]![i]!).toBeCloseTo(1.2815515655446004 * sd[i]!, 4);
      }

      // sample(n): joint draws with the guide's moments; shapes [n, ...site shape]
      const draws = guide.sample(3000, ...data);
      expect(draws.c!.shape).toEqual([3000]);
      expect(draws.w!.shape).toEqual([3000, 2]);
      const rows = flat(draws);
      const m = [0, 1, 2].map((i) => rows.reduce((s, r) => s + r[i]!, 0) / rows.length);
      for (let i = 0; i < 3; i++) expect(Math.abs(m[i]! - median[i]!)).toBeLessThan(4 * sd[i]! / Math.sqrt(rows.length));
      const c01 = rows.reduce((s, r) => s + (r[0]! - m[0]!) * (r[1]! - m[1]!), 0) / (rows.length - 1);
      expect(Math.abs(c01 - cov[0]![1]!)).toBeLessThan(4 * sd[0]! * sd[1]! / Math.sqrt(rows.length));
      tf.dispose(Object.values(draws));
    });
  }

  it("test_exact_elbo: at the exact posterior, the -ELBO of every draw is -log p(y) (full-rank and low-rank params)", () => {
    // q = p(z | y) makes log p(y, z) - log q(z) = log p(y) for every z; y ~ N(0, tau² X Xᵀ + sigma² I) with X = [1, x]
    const X = xs.map((r) => [1, ...r]);
    const K = X.map((a, i) => X.map((b, j) => tau ** 2 * a.reduce((s, v, k) => s + v * b[k]!, 0) + (i === j ? sigma ** 2 : 0)));
    const L = cholesky(K);
    const z = forwardSolve(L, ys);
    const logEvidence = -0.5 * z.reduce((s, v) => s + v * v, 0) - L.reduce((s, row, i) => s + Math.log(row[i]!), 0) - 0.5 * ys.length * Math.log(2 * Math.PI);
    const chol = cholesky(exact.cov);
    // low rank (rank 3 = D here): W Wᵀ + diag(s²) = Σ with W = chol(Σ - s² I), cov_factor = W / s, and
    // s² = 0.5 / trace(Λ) below Σ's smallest eigenvalue 1 / λ_max(Λ), so Σ - s² I stays positive definite
    const s2 = 0.5 / exact.precision.reduce((t, row, i) => t + row[i]!, 0);
    const W = cholesky(exact.cov.map((row, i) => row.map((v, j) => v - (i === j ? s2 : 0))));
    const cases: [string, [string, tf.Tensor, Constraint][], () => AutoContinuous<Args>][] = [
      ["AutoMultivariateNormal", [["loc", tf.tensor1d(exact.mean), constraints.real], ["scale_tril", tf.tensor2d(chol), constraints.lowerCholesky]],
        () => new AutoMultivariateNormal(model as Model<Args>)],
      ["AutoLowRankMultivariateNormal", [
        ["loc", tf.tensor1d(exact.mean), constraints.real],
        ["scale", tf.fill([3], Math.sqrt(s2)), constraints.positive],
        ["cov_factor", tf.tensor2d(W.map((r) => r.map((v) => v / Math.sqrt(s2)))), constraints.real],
      ], () => new AutoLowRankMultivariateNormal(model as Model<Args>, { rank: 3 })],
    ];
    for (const [name, params, make] of cases) {
      clearParamStore();
      setRngSeed(9);
      // created first, so the guide's param reads find them instead of its init
      for (const [k, v, c] of params) getParamStore().get(`${name}.${k}`, () => v, c).dispose();
      const guide = make();
      const elbo = new TraceELBO();
      for (let draw = 0; draw < 5; draw++) expect(elbo.loss(model as Model<Args>, guide, ...data)).toBeCloseTo(-logEvidence, 3);
    }
  });

  it("the latent vector's log-density rides on one Delta: the guide's log q is the Gaussian's", () => {
    // log q(c, w) of a draw = MVN log-density of (c, w0, w1) under loc and L Lᵀ, written out here in float64
    clearParamStore();
    const guide = new AutoMultivariateNormal(model as Model<Args>, { initScale: 0.3 });
    const tr = trace(guide).getTrace(...data);
    const z = [tr.sampleSite("c").value.dataSync()[0]!, ...Array.from(tr.sampleSite("w").value.dataSync())];
    const mu = flat(guide.median(...data))[0]!;
    const cov = guide.covariance(...data).arraySync() as number[][];
    const inv = invert3(cov);
    const d = z.map((v, i) => v - mu[i]!);
    const quad = d.reduce((s, di, i) => s + di * d.reduce((t, dj, j) => t + inv[i]![j]! * dj, 0), 0);
    const det = 1 / (inv[0]![0]! * (inv[1]![1]! * inv[2]![2]! - inv[1]![2]! * inv[2]![1]!) -
      inv[0]![1]! * (inv[1]![0]! * inv[2]![2]! - inv[1]![2]! * inv[2]![0]!) + inv[0]![2]! * (inv[1]![0]! * inv[2]![1]! - inv[1]![1]! * inv[2]![0]!));
    const want = -0.5 * quad - 0.5 * Math.log(det) - 1.5 * Math.log(2 * Math.PI);
    expect(tr.logProbSum().dataSync()[0]).toBeCloseTo(want, 3);
    tr.dispose();
  });
});

describe("AutoContinuous guides start where the init strategy says", () => {
  function* constrained() {
    yield* sample("s", dist.LogNormal(0.3, 0.5));
    yield* sample("m", dist.Normal(3, 1).expand([2]).toEvent(1));
  }
  const makers = [
    (m: Model<[]>, o: object) => new AutoDiagonalNormal(m, o),
    (m: Model<[]>, o: object) => new AutoMultivariateNormal(m, o),
    (m: Model<[]>, o: object) => new AutoLowRankMultivariateNormal(m, o),
  ];
  for (const make of makers) {
    it(`${make(constrained, {}).constructor.name}: initToValue, initToMean and initToFeasible give the initial median`, () => {
      const cases: [object, number, number[]][] = [
        [{ initLocFn: initToValue({ values: { s: 2.5, m: [1, -2] } }) }, 2.5, [1, -2]],
        [{ initLocFn: initToMean() }, Math.exp(0.3 + 0.5 ** 2 / 2), [3, 3]], // LogNormal mean exp(mu + s²/2)
        [{ initLocFn: initToFeasible() }, 1, [0, 0]], // the unconstrained zero
      ];
      for (const [opts, s, m] of cases) {
        clearParamStore();
        const guide = make(constrained, opts);
        const med = guide.median();
        expect(med.s!.dataSync()[0]).toBeCloseTo(s, 4);
        expect(Array.from(med.m!.dataSync())).toEqual(m.map((v) => expect.closeTo(v, 4)));
        // quantiles of a positive site stay positive and ordered
        const q = Array.from(guide.quantiles([0.01, 0.5, 0.99]).s!.dataSync());
        expect(q[0]).toBeGreaterThan(0);
        expect(q[0]! < q[1]! && q[1]! < q[2]!).toBe(true);
        expect(q[1]).toBeCloseTo(s, 4);
      }
    });
  }

  it("rejects bad quantiles and sample sizes by name", () => {
    clearParamStore();
    const guide = new AutoMultivariateNormal(constrained);
    expect(() => guide.quantiles([0, 0.5])).toThrow(PPLConfigError);
    expect(() => guide.quantiles([1.5])).toThrow(/AutoMultivariateNormal\.quantiles: qs must be/);
    expect(() => guide.sample(0)).toThrow(/AutoMultivariateNormal\.sample: numSamples must be a positive integer, got 0/);
    expect(() => new AutoLowRankMultivariateNormal(constrained, { rank: 0 })).toThrow(/AutoLowRankMultivariateNormal.*rank/);
  });
});
