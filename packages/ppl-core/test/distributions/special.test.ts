// Special functions against published values (Abramowitz & Stegun, DLMF) and
// the small linear-algebra ops' gradients against central differences.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { digamma, lgamma, logBeta, xlog1py, xlogy } from "ppl-core";
import { cholesky, invLower } from "../../src/ops/linalg.js";
import { digammaNumber, gammaincNumber, lgammaNumber } from "../../src/ops/special.js";
import { expectClose, lgamma64, vals } from "./helpers.js";

const EULER = 0.5772156649015329;

describe("lgamma", () => {
  const published: [number, number][] = [
    [0.5, 0.5 * Math.log(Math.PI)], // Gamma(1/2) = sqrt(pi)
    [1, 0],
    [2, 0],
    [3, Math.log(2)],
    [10, Math.log(362880)], // 9!
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [0.1, 2.252712651734206], // DLMF 5.4 / tables: ln Gamma(0.1)
    [25.5, lgamma64(25.5)],
    [150, lgamma64(150)],
  ];
  it("matches published values in float32 (tensor) and float64 (lgammaNumber)", () => {
    const xs = published.map(([x]) => x);
    const want = published.map(([, v]) => v);
    tf.tidy(() => expectClose(vals(lgamma(tf.tensor1d(xs))), want, 1e-6, 2e-6, "lgamma"));
    expectClose(xs.map(lgammaNumber), want, 1e-12, 1e-12, "lgammaNumber");
  });
  it("reflects for negative non-integers: Gamma(-1/2) = -2 sqrt(pi)", () => {
    tf.tidy(() => expectClose(vals(lgamma(tf.tensor1d([-0.5]))), [Math.log(2 * Math.sqrt(Math.PI))], 1e-5));
  });
  it("has digamma as its gradient", () => {
    const xs = [0.3, 1, 2.5, 12];
    const g = tf.grad((x: tf.Tensor) => lgamma(x).sum())(tf.tensor1d(xs));
    expectClose(vals(g), xs.map((x) => (lgamma64(x + 1e-5) - lgamma64(x - 1e-5)) / 2e-5), 1e-5, 1e-5);
  });
});

describe("digamma", () => {
  const published: [number, number][] = [
    [1, -EULER],
    [0.5, -1.9635100260214235], // -gamma - 2 ln 2
    [2, 1 - EULER],
    [0.25, -EULER - Math.PI / 2 - 3 * Math.log(2)],
    [10, 2.251752589066721],
    [0.01, -100.56088545786867],
  ];
  it("matches published values in float32 and float64", () => {
    const xs = published.map(([x]) => x);
    const want = published.map(([, v]) => v);
    tf.tidy(() => expectClose(vals(digamma(tf.tensor1d(xs))), want, 2e-6, 2e-6, "digamma"));
    expectClose(xs.map(digammaNumber), want, 1e-12, 1e-12, "digammaNumber");
  });
});

describe("logBeta, xlogy, xlog1py", () => {
  it("logBeta(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), with B(1, 1) = 1 and B(1/2, 1/2) = pi", () => {
    tf.tidy(() => {
      const lb = vals(logBeta(tf.tensor1d([1, 0.5, 2, 7]), tf.tensor1d([1, 0.5, 3, 0.2])));
      expectClose(lb, [0, Math.log(Math.PI), Math.log(1 / 12), lgamma64(7) + lgamma64(0.2) - lgamma64(7.2)], 2e-6, 2e-6);
    });
  });
  it("x log y is 0 at x = 0 even where y = 0, with finite gradients there", () => {
    const x = tf.tensor1d([0, 0, 2, 1.5]);
    const y = tf.tensor1d([0, 3, 0.5, 4]);
    expectClose(vals(xlogy(x, y)), [0, 0, 2 * Math.log(0.5), 1.5 * Math.log(4)], 1e-6);
    expectClose(vals(xlog1py(x, tf.tensor1d([-1, 3, 0.5, -0.25]))), [0, 0, 2 * Math.log1p(0.5), 1.5 * Math.log1p(-0.25)], 1e-6);
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => xlogy(a, b).sum())([x, y]);
    expect(vals(gy!).every(Number.isFinite)).toBe(true);
    expectClose(vals(gy!), [0, 0, 4, 1.5 / 4], 1e-6);
    expectClose(vals(gx!).slice(1), [Math.log(3), Math.log(0.5), Math.log(4)], 1e-6);
  });
});

describe("gammaincNumber (regularised lower incomplete gamma)", () => {
  it("matches closed forms: P(1, x) = 1 - e^-x, P(1/2, x) = erf(sqrt x), P(3, x) by the Poisson sum", () => {
    const erf = (z: number) => {
      // series to convergence: fine for z <= 3
      let s = 0;
      let t = z;
      for (let n = 0; n < 200; n++) {
        s += t / (2 * n + 1);
        t *= (-z * z) / (n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * s;
    };
    for (const x of [0.01, 0.5, 1, 3, 8, 30]) {
      expect(gammaincNumber(1, x)).toBeCloseTo(1 - Math.exp(-x), 13);
      expect(gammaincNumber(3, x)).toBeCloseTo(1 - Math.exp(-x) * (1 + x + (x * x) / 2), 13);
    }
    for (const x of [0.01, 0.5, 2, 6]) expect(gammaincNumber(0.5, x)).toBeCloseTo(erf(Math.sqrt(x)), 12);
  });
});

describe("cholesky and invLower", () => {
  const A = [4, 2, 0.6, 2, 3, 0.4, 0.6, 0.4, 2];
  it("cholesky(A) L L^T = A, batched", () => {
    tf.tidy(() => {
      const a = tf.tensor3d([A, A.map((v, i) => v * (i % 4 === 0 ? 2 : 1))].map((m) => [m.slice(0, 3), m.slice(3, 6), m.slice(6)]));
      const L = cholesky(a);
      const back = tf.matMul(L, L, false, true);
      expectClose(vals(back), vals(a), 1e-5, 1e-5);
      expect(vals(L)[1]).toBe(0); // upper triangle is zero
    });
  });

  it("the gradient of cholesky matches central differences along symmetric directions", () => {
    const W = [0.3, 0, 0, -1.2, 0.7, 0, 0.5, 2.0, -0.4];
    const fJS = (a: number[]) => {
      const n = 3;
      const l = new Array<number>(9).fill(0);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = a[i * n + j]!;
          for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
          l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j]!;
        }
      return l.reduce((s, v, i) => s + v * W[i]!, 0);
    };
    const g = vals(tf.grad((a: tf.Tensor) => cholesky(a).mul(tf.tensor2d(W, [3, 3])).sum())(tf.tensor2d(A, [3, 3])));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j <= i; j++) {
        const h = 1e-5;
        const up = [...A];
        const dn = [...A];
        up[i * 3 + j]! += h;
        dn[i * 3 + j]! -= h;
        if (i !== j) {
          up[j * 3 + i]! += h;
          dn[j * 3 + i]! -= h;
        }
        const fd = (fJS(up) - fJS(dn)) / (2 * h);
        const ad = i === j ? g[i * 3 + i]! : g[i * 3 + j]! + g[j * 3 + i]!;
        expect(ad).toBeCloseTo(fd, 4);
      }
  });

  it("invLower inverts a lower-triangular matrix and its gradient matches central differences", () => {
    const L = [2, 0, 0, 0.5, 1.5, 0, -0.3, 0.8, 1.2];
    const W = [1, 0.2, -0.5, 0.3, -1, 0.8, 0.1, 0.6, 0.9];
    tf.tidy(() => {
      const M = invLower(tf.tensor2d(L, [3, 3]));
      expectClose(vals(tf.matMul(tf.tensor2d(L, [3, 3]), M)), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-6);
    });
    const invJS = (l: number[]) => {
      const m = new Array<number>(9).fill(0);
      for (let j = 0; j < 3; j++) {
        m[j * 3 + j] = 1 / l[j * 3 + j]!;
        for (let i = j + 1; i < 3; i++) {
          let s = 0;
          for (let k = j; k < i; k++) s += l[i * 3 + k]! * m[k * 3 + j]!;
          m[i * 3 + j] = -s / l[i * 3 + i]!;
        }
      }
      return m.reduce((s, v, i) => s + v * W[i]!, 0);
    };
    const g = vals(tf.grad((l: tf.Tensor) => invLower(l).mul(tf.tensor2d(W, [3, 3])).sum())(tf.tensor2d(L, [3, 3])));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j <= i; j++) {
        const up = [...L];
        const dn = [...L];
        up[i * 3 + j]! += 1e-6;
        dn[i * 3 + j]! -= 1e-6;
        expect(g[i * 3 + j]!).toBeCloseTo((invJS(up) - invJS(dn)) / 2e-6, 3);
      }
  });
});
