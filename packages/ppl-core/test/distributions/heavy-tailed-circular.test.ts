// Cauchy, HalfCauchy and VonMises: the families whose moments spec.ts cannot check
// (no finite mean or variance; a circular variable). Log-densities against float64
// closed forms (scipy.stats.cauchy / halfcauchy / vonmises, with I0 by quadrature of its
// integral), draws against closed-form quantiles (Cauchy) or circular moments (VonMises),
// gradients against central differences.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { at, checkGradients, expectClose, trapezoid, vals } from "./helpers.js";
import { besselI64 } from "./reference.js";

const cauchyLp = (m: number, s: number, x: number) => -Math.log(Math.PI * s * (1 + ((x - m) / s) ** 2));
const halfCauchyLp = (s: number, x: number) => (x < 0 ? -Infinity : Math.log(2) + cauchyLp(0, s, x));
const vonMisesLp = (m: number, k: number, x: number) => k * Math.cos(x - m) - Math.log(2 * Math.PI * besselI64(0, k));

/** Fraction of xs at or below t is p within 4 binomial standard errors. */
function expectFraction(xs: number[], t: number, p: number, what: string): void {
  const f = xs.filter((x) => x <= t).length / xs.length;
  const se = Math.sqrt((p * (1 - p)) / xs.length);
  if (!(Math.abs(f - p) <= 4 * se)) expect.fail(`${what}: fraction below ${t} is ${f}, not within 4 se (${se}) of ${p}`);
}

function fullOf(...shapes: number[][]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: r }, (_, i) => Math.max(...shapes.map((s) => s[s.length - r + i] ?? 1)));
}

describe("Cauchy", () => {
  const loc = { values: [0.5, -1], shape: [2] };
  const scale = { values: [0.3, 1, 2.5], shape: [3, 1] };
  const x = { values: [0.1, 4], shape: [2] };
  const full = fullOf(loc.shape, scale.shape, x.shape);
  const ref = (vs: number[][]) =>
    Array.from({ length: 6 }, (_, i) => cauchyLp(at(vs[0]!, loc.shape, full, i), at(vs[1]!, scale.shape, full, i), at(x.values, x.shape, full, i)));

  it("logProb matches the closed form over a [3, 2] batch, and the density integrates to 1", () => {
    tf.tidy(() => {
      const lp = dist.Cauchy(tf.tensor(loc.values, loc.shape), tf.tensor(scale.values, scale.shape)).logProb(tf.tensor(x.values, x.shape));
      expect(lp.shape).toEqual([3, 2]);
      expectClose(vals(lp), ref([loc.values, scale.values]), 2e-5, 2e-5, "Cauchy");
      const d = dist.Cauchy(1, 0.5);
      // the tails beyond +-5000 hold 2 * 0.5 / (pi 5000) = 6.4e-5 of the mass
      const mass = trapezoid((xs) => vals(d.logProb(tf.tensor1d(xs))), -5000, 5000, 400000);
      expect(Math.abs(mass - (1 - 0.5 / (Math.PI * 2500)))).toBeLessThan(2e-4);
    });
  });

  it("seeded draws have the closed-form quartiles and deciles; mean is NaN and variance Infinity", () => {
    const d = dist.Cauchy(1, 2);
    const xs = tf.tidy(() => vals(d.sample([20000], 99)));
    expect(tf.tidy(() => vals(d.sample([20000], 99)))).toEqual(xs);
    expect(xs.every(Number.isFinite)).toBe(true);
    for (const p of [0.1, 0.25, 0.5, 0.75, 0.9]) expectFraction(xs, 1 + 2 * Math.tan(Math.PI * (p - 0.5)), p, "Cauchy");
    tf.tidy(() => {
      expect(vals(d.mean)).toEqual([NaN]);
      expect(vals(d.variance)).toEqual([Infinity]);
      expect(dist.Cauchy(tf.zeros([2]), 1).sample([4], 1).shape).toEqual([4, 2]);
    });
  });

  it("gradients in loc and scale match central differences", () => {
    const xT = tf.tensor(x.values, x.shape);
    checkGradients((l, s) => dist.Cauchy(l!, s!).logProb(xT), ref, [loc, scale], 2e-3, "Cauchy");
    xT.dispose();
  });
});

describe("HalfCauchy", () => {
  const scale = { values: [0.3, 1, 2.5], shape: [3, 1] };
  const x = { values: [0.1, 4], shape: [2] };
  const full = [3, 2];
  const ref = (vs: number[][]) => Array.from({ length: 6 }, (_, i) => halfCauchyLp(at(vs[0]!, scale.shape, full, i), at(x.values, x.shape, full, i)));

  it("logProb matches the closed form, is -Infinity below 0, and the density integrates to 1", () => {
    tf.tidy(() => {
      const lp = dist.HalfCauchy(tf.tensor(scale.values, scale.shape)).logProb(tf.tensor(x.values, x.shape));
      expect(lp.shape).toEqual([3, 2]);
      expectClose(vals(lp), ref([scale.values]), 2e-5, 2e-5, "HalfCauchy");
      expect(vals(dist.HalfCauchy(1).logProb(tf.scalar(-0.1)))).toEqual([-Infinity]);
      const d = dist.HalfCauchy(0.5);
      const mass = trapezoid((xs) => vals(d.logProb(tf.tensor1d(xs))), 0, 5000, 400000);
      expect(Math.abs(mass - (1 - (2 * 0.5) / (Math.PI * 5000)))).toBeLessThan(2e-4);
    });
  });

  it("seeded draws are nonnegative with the closed-form quantiles; mean and variance are Infinity", () => {
    const d = dist.HalfCauchy(1.5);
    const xs = tf.tidy(() => vals(d.sample([20000], 5)));
    expect(xs.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    for (const p of [0.1, 0.5, 0.9]) expectFraction(xs, 1.5 * Math.tan((Math.PI * p) / 2), p, "HalfCauchy");
    tf.tidy(() => {
      expect(vals(d.mean)).toEqual([Infinity]);
      expect(vals(d.variance)).toEqual([Infinity]);
    });
  });

  it("gradients in scale match central differences", () => {
    const xT = tf.tensor(x.values, x.shape);
    checkGradients((s) => dist.HalfCauchy(s!).logProb(xT), ref, [scale], 2e-3, "HalfCauchy");
    xT.dispose();
  });
});

describe("VonMises", () => {
  const loc = { values: [0.5, -2], shape: [2] };
  // 0.2 and 4 use the series for I0, 45 the asymptotic expansion
  const conc = { values: [0.2, 4, 45], shape: [3, 1] };
  const x = { values: [0.1, -2.5], shape: [2] };
  const full = [3, 2];
  const ref = (vs: number[][]) =>
    Array.from({ length: 6 }, (_, i) => vonMisesLp(at(vs[0]!, loc.shape, full, i), at(vs[1]!, conc.shape, full, i), at(x.values, x.shape, full, i)));

  it("logProb matches the closed form for small, moderate and large concentrations; the density integrates to 1", () => {
    tf.tidy(() => {
      const lp = dist.VonMises(tf.tensor(loc.values, loc.shape), tf.tensor(conc.values, conc.shape)).logProb(tf.tensor(x.values, x.shape));
      expect(lp.shape).toEqual([3, 2]);
      expectClose(vals(lp), ref([loc.values, conc.values]), 5e-5, 5e-5, "VonMises");
      const d = dist.VonMises(1, 3);
      expect(trapezoid((xs) => vals(d.logProb(tf.tensor1d(xs))), -Math.PI, Math.PI, 4000)).toBeCloseTo(1, 5);
    });
  });

  for (const k of [0.5, 6, 60]) {
    it(`seeded draws (concentration ${k}) lie in [-pi, pi) with the circular moments E cos = I1/I0, E sin = 0`, () => {
      const m = 2.8; // near pi, so the draws wrap
      const d = dist.VonMises(m, k);
      const xs = tf.tidy(() => vals(d.sample([20000], 17)));
      expect(tf.tidy(() => vals(d.sample([20000], 17)))).toEqual(xs);
      expect(xs.every((v) => v >= -Math.PI && v < Math.PI)).toBe(true);
      const i0 = besselI64(0, k);
      const r1 = besselI64(1, k) / i0;
      const r2 = besselI64(2, k) / i0;
      const n = xs.length;
      const c = xs.reduce((s, v) => s + Math.cos(v - m), 0) / n;
      const sn = xs.reduce((s, v) => s + Math.sin(v - m), 0) / n;
      // Var cos = (1 + I2/I0)/2 - (I1/I0)^2, Var sin = (1 - I2/I0)/2
      expect(Math.abs(c - r1)).toBeLessThan(4 * Math.sqrt(((1 + r2) / 2 - r1 * r1) / n));
      expect(Math.abs(sn)).toBeLessThan(4 * Math.sqrt((1 - r2) / 2 / n));
      tf.tidy(() => {
        expectClose(vals(d.mean), [m], 1e-6, 0, "VonMises.mean");
        expectClose(vals(d.variance), [1 - r1], 1e-6, 1e-5, "VonMises.variance (circular)");
      });
    });
  }

  it("gradients in loc and concentration match central differences", () => {
    const xT = tf.tensor(x.values, x.shape);
    checkGradients((l, k) => dist.VonMises(l!, k!).logProb(xT), ref, [loc, conc], 2e-3, "VonMises");
    xT.dispose();
  });

  it("circular variance and entropy have the gradients of their quadrature values", () => {
    const ks = { values: [0.2, 4, 45], shape: [3] };
    const circVar = (vs: number[][]) => vs[0]!.map((k) => 1 - besselI64(1, k) / besselI64(0, k));
    // H = -int p log p = log(2 pi I0) - k I1 / I0, with p = e^{k cos x} / (2 pi I0)
    const entropy = (vs: number[][]) => vs[0]!.map((k) => Math.log(2 * Math.PI * besselI64(0, k)) - (k * besselI64(1, k)) / besselI64(0, k));
    checkGradients((k) => dist.VonMises(0, k!).variance, circVar, [ks], 2e-3, "VonMises.variance");
    checkGradients((k) => dist.VonMises(0, k!).entropy(), entropy, [ks], 2e-3, "VonMises.entropy");
  });
});
