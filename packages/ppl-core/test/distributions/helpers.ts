// Float64 reference math and assertion helpers for the distribution tests.
// Nothing here calls ppl-core's math: these are the independent truths.
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

export const LOG_2PI = Math.log(2 * Math.PI);

/** log Gamma(x), x > 0, float64: recurrence up to x >= 12, then Stirling's series (error < 1e-15). */
export function lgamma64(x: number): number {
  if (!(x > 0)) throw new RangeError(`lgamma64 needs x > 0, got ${x}`);
  let shift = 0;
  while (x < 12) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * LOG_2PI + series - shift;
}

export const logBeta64 = (a: number, b: number): number => lgamma64(a) + lgamma64(b) - lgamma64(a + b);

/** Flat float64 copy of a tensor's values (the tensor is left alone). */
export function vals(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Elementwise |a - e| <= atol + rtol |e|, with a readable failure; infinities must match exactly. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5, what = ""): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) {
      expect(a, `${what} element ${i}`).toBe(e);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what} element ${i}: ${a} is not within ${atol} + ${rtol}*|e| of ${e}`);
  }
}

/** Broadcast a flat list of parameter values (given with its shape) to read element i of `shape`. */
export function at(values: readonly number[], shape: readonly number[], full: readonly number[], i: number): number {
  // index of i in `full`, mapped to `shape` (right-aligned, size-1 dims broadcast)
  let rem = i;
  const idx = new Array<number>(full.length);
  for (let d = full.length - 1; d >= 0; d--) {
    idx[d] = rem % full[d]!;
    rem = Math.floor(rem / full[d]!);
  }
  let flat = 0;
  const off = full.length - shape.length;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + (shape[d] === 1 ? 0 : idx[off + d]!);
  return values[flat]!;
}

/**
 * Check sample moments against the truth: the mean within 4 standard errors,
 * and the variance within 4 standard errors estimated from the sample's 4th moment.
 */
export function expectMoments(xs: ArrayLike<number>, mean: number, variance: number, what = ""): void {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]!;
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    m2 += d * d;
    m4 += d ** 4;
  }
  m2 /= n;
  m4 /= n;
  const seMean = Math.sqrt(variance / n);
  const seVar = Math.sqrt(Math.max(m4 - variance * variance, 1e-12) / n);
  if (!(Math.abs(m - mean) <= 4 * seMean)) expect.fail(`${what} sample mean ${m} is not within 4 se (${seMean}) of ${mean}`);
  if (!(Math.abs(m2 - variance) <= 4 * seVar)) expect.fail(`${what} sample variance ${m2} is not within 4 se (${seVar}) of ${variance}`);
}

/**
 * Gradient of sum(w * f(params)) by tfjs autodiff, against central differences of
 * the float64 reference `ref(params)` (per element, same weights), Richardson-extrapolated.
 */
export function checkGradients(
  f: (...params: tf.Tensor[]) => tf.Tensor,
  ref: (params: number[][]) => number[],
  params: { values: number[]; shape: number[] }[],
  tol = 2e-3,
  what = "",
): void {
  const tensors = params.map((p) => tf.tensor(p.values, p.shape, "float32"));
  const out = tf.tidy(() => f(...tensors));
  const w = Array.from({ length: out.size }, (_, i) => 1 + 0.37 * i);
  out.dispose();
  const wT = tf.tensor(w);
  const grads = tf.grads((...ps: tf.Tensor[]) => f(...ps).flatten().mul(wT).sum())(tensors);
  const total = (vs: number[][]) => ref(vs).reduce((s, v, i) => s + v * w[i]!, 0);
  params.forEach((p, k) => {
    const g = vals(grads[k]!);
    const fd = p.values.map((v, j) => {
      const central = (h: number) => {
        const up = params.map((q) => [...q.values]);
        const dn = params.map((q) => [...q.values]);
        up[k]![j] = v + h;
        dn[k]![j] = v - h;
        return (total(up) - total(dn)) / (2 * h);
      };
      const h = 1e-4 * Math.max(1, Math.abs(v));
      return (4 * central(h / 2) - central(h)) / 3;
    });
    expectClose(g, fd, tol, tol, `${what} d/d(param ${k})`);
  });
  tf.dispose([...tensors, ...grads, wT]);
}

/** Trapezoid integral of exp(logpdf) over [a, b] with n panels. */
export function trapezoid(logpdf: (x: number[]) => number[], a: number, b: number, n: number): number {
  const xs = Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const ys = logpdf(xs).map(Math.exp);
  let s = 0;
  for (let i = 0; i < n; i++) s += (ys[i]! + ys[i + 1]!) / 2;
  return (s * (b - a)) / n;
}

/** The error `fn` throws (fails the test if it throws nothing). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error, none was thrown");
}
