// Float64 reference math and small assertion helpers shared by ppl-core's tests.
// Nothing here calls ppl-core: these are the independent truths the tests compare against.
import type * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

// one float64 lgamma for every test suite: the distribution tests own it
import { LOG_2PI, lgamma64 } from "./distributions/helpers.js";

export { LOG_2PI, lgamma64 };

export function normalLogPdf(x: number, loc: number, scale: number): number {
  const z = (x - loc) / scale;
  return -0.5 * z * z - Math.log(scale) - 0.5 * LOG_2PI;
}

export function logNormalLogPdf(x: number, loc: number, scale: number): number {
  return normalLogPdf(Math.log(x), loc, scale) - Math.log(x);
}

export function dirichletLogPdf(x: readonly number[], alpha: readonly number[]): number {
  const a0 = alpha.reduce((s, a) => s + a, 0);
  let lp = lgamma64(a0);
  for (let i = 0; i < alpha.length; i++) lp += (alpha[i]! - 1) * Math.log(x[i]!) - lgamma64(alpha[i]!);
  return lp;
}

/** Flat float64 copy of a tensor's values. */
export function vals(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Elementwise |a - e| <= atol + rtol |e|, with a readable failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (e === Infinity || e === -Infinity) {
      expect(a, `element ${i}`).toBe(e);
      continue;
    }
    const ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(`element ${i}: ${a} is not within ${atol} + ${rtol}*|e| of ${e}`);
  }
}

/** Runs `f`, expects it to throw, and returns the error for inspection. */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  return expect.fail("expected an error, but none was thrown");
}

/**
 * Sample mean and variance of `xs` lie within `k` standard errors of the
 * theoretical values, given the first four raw moments E[X^j], j = 1..4.
 * SE(mean) = sqrt(mu2 / n); SE(var) ≈ sqrt((mu4 - mu2^2) / n).
 */
export function expectMoments(xs: ArrayLike<number>, raw: readonly [number, number, number, number], k = 4): void {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i]! - mean) ** 2;
  const variance = ss / (n - 1);
  const [m1, m2, m3, m4] = raw;
  const mu2 = m2 - m1 * m1;
  const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
  const seMean = Math.sqrt(mu2 / n);
  const seVar = Math.sqrt((mu4 - mu2 * mu2) / n);
  expect(Math.abs(mean - m1), `mean ${mean} vs ${m1} (se ${seMean})`).toBeLessThan(k * seMean);
  expect(Math.abs(variance - mu2), `variance ${variance} vs ${mu2} (se ${seVar})`).toBeLessThan(k * seVar);
}

/** Determinant of a square matrix (float64, LU with partial pivoting). */
export function det(m: readonly (readonly number[])[]): number {
  const n = m.length;
  const a = m.map((r) => [...r]);
  let d = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (a[p]![c] === 0) return 0;
    if (p !== c) {
      [a[p], a[c]] = [a[c]!, a[p]!];
      d = -d;
    }
    d *= a[c]![c]!;
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k] -= f * a[c]![k]!;
    }
  }
  return d;
}
