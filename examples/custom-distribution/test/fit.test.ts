// Runs the code of docs/writing-a-distribution.md: the user-written Kumaraswamy
// against its closed forms (written here in float64, and numeric integrals of
// the density), its reparameterised draws, its validation messages, and SVI
// recovering the parameters the data were simulated from, so the guide cannot rot.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it, vi } from "vitest";
import { JitTraceELBO, PPLSupportError, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed } from "ppl-core";
import { fit } from "../src/fit.js";
import { Kumaraswamy } from "../src/kumaraswamy.js";

const logPdf64 = (a: number, b: number, x: number) => Math.log(a * b) + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-(x ** a));
/** Midpoint rule on (0, 1) with n panels. */
const integrate = (f: (x: number) => number, n = 200000) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += f((i + 0.5) / n);
  return s / n;
};
const close = (actual: number, expected: number, tol: number, what: string) =>
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

describe("Kumaraswamy (a user-written distribution)", () => {
  it("its log-density matches a b x^(a-1) (1 - x^a)^(b-1) at several points and batch shapes, and integrates to 1", () => {
    const as = [0.5, 2, 3.5];
    const bs = [[1.5], [5]];
    const xs = [0.05, 0.4, 0.93];
    const lp = tf.tidy(() => Array.from(new Kumaraswamy(as, bs).logProb(tf.tensor1d(xs)).dataSync()));
    const truth = bs.flatMap(([b]) => xs.map((x, i) => logPdf64(as[i]!, b!, x)));
    lp.forEach((v, i) => close(v, truth[i]!, 2e-5, `logProb ${i}`));
    const d = new Kumaraswamy(2, 5);
    const grid = Array.from({ length: 20000 }, (_, i) => (i + 0.5) / 20000);
    const dens = tf.tidy(() => Array.from(d.logProb(tf.tensor1d(grid)).exp().dataSync()));
    close(dens.reduce((s, v) => s + v, 0) / grid.length, 1, 1e-3, "∫ p");
  });

  it("cdf, icdf, mean, variance and entropy match numeric integrals of the float64 density", () => {
    const [a, b] = [2, 5];
    const d = new Kumaraswamy(a, b);
    const p = (x: number) => Math.exp(logPdf64(a, b, x));
    const xs = [0.1, 0.3, 0.6];
    const cdf = tf.tidy(() => Array.from(d.cdf(tf.tensor1d(xs)).dataSync()));
    xs.forEach((x, i) => close(cdf[i]!, integrate((u) => (u <= x ? p(u) : 0)), 1e-4, `cdf(${x})`));
    const back = tf.tidy(() => Array.from(d.icdf(tf.tensor1d(cdf)).dataSync()));
    xs.forEach((x, i) => close(back[i]!, x, 1e-5, `icdf(cdf(${x}))`));
    const m1 = integrate((x) => x * p(x));
    const m2 = integrate((x) => x * x * p(x));
    tf.tidy(() => {
      close(d.mean.dataSync()[0]!, m1, 1e-5, "mean");
      close(d.variance.dataSync()[0]!, m2 - m1 * m1, 1e-4, "variance");
      close(d.entropy().dataSync()[0]!, integrate((x) => -p(x) * logPdf64(a, b, x)), 1e-4, "entropy");
    });
  });

  it("seeded draws have the mean and variance within 4 standard errors, and are differentiable in the parameters", () => {
    const d = new Kumaraswamy(2, 5);
    const n = 20000;
    const xs = tf.tidy(() => Array.from(d.sample([n], 7).dataSync()));
    const m = xs.reduce((s, v) => s + v, 0) / n;
    const [mean, variance] = tf.tidy(() => [d.mean.dataSync()[0]!, d.variance.dataSync()[0]!]);
    const v = xs.reduce((s, x) => s + (x - mean!) ** 2, 0) / n;
    const m4 = xs.reduce((s, x) => s + (x - mean!) ** 4, 0) / n;
    expect(Math.abs(m - mean!)).toBeLessThan(4 * Math.sqrt(variance! / n));
    // the standard error of the sample variance, from the sample's fourth central moment
    expect(Math.abs(v - variance!)).toBeLessThan(4 * Math.sqrt((m4 - variance! ** 2) / n));
    // pathwise d E[X] / d a against a central difference of the closed-form mean b B(1 + 1/a, b)
    const mean64 = (a: number, b: number) => {
      const lg = (x: number) => {
        // lgamma by the recurrence and Stirling's series, float64
        let s = 0;
        while (x < 12) {
          s -= Math.log(x);
          x += 1;
        }
        return s + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
      };
      return b * Math.exp(lg(1 + 1 / a) + lg(b) - lg(1 + 1 / a + b));
    };
    const g = tf.tidy(() => tf.grad((a: tf.Tensor) => new Kumaraswamy(a, 5).sample([n], 3).mean())(tf.scalar(2)).dataSync()[0]!);
    const fd = (mean64(2 + 1e-4, 5) - mean64(2 - 1e-4, 5)) / 2e-4;
    // a Monte Carlo gradient: within a few percent at n = 20000
    expect(Math.abs(g - fd)).toBeLessThan(0.05 * Math.abs(fd));
  });

  it("validates its parameters with errors that name it", () => {
    expect(() => new Kumaraswamy(0, 2)).toThrow(PPLSupportError);
    expect(() => new Kumaraswamy(1, [2, -1])).toThrow(/^Kumaraswamy: parameter 'concentration0' must be positive, but element 1 is -1/);
  });

  it("SVI recovers concentration1 and concentration0 from the simulated data", () => {
    const warn = vi.spyOn(console, "warn");
    const r = fit();
    // compiled by default: SVI made the params before its first step, which recorded; the other 199 replayed
    expect(r.compileStats).toEqual({ recorded: 1, replayed: 199, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    // 2000 draws: the MLE's standard errors are about 0.05 (a) and 0.3 (b)
    expect(Math.abs(r.a - r.truth.a)).toBeLessThan(0.2);
    expect(Math.abs(r.b - r.truth.b)).toBeLessThan(1);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
  });

  it("the compiled fit's losses are the interpreted TraceELBO's from the same seed, b's draw made again each step", () => {
    const compiled = fit({ n: 200, steps: 30, seed: 5 });
    const interpreted = fit({ n: 200, steps: 30, seed: 5, compiled: false });
    expect(interpreted.compileStats).toBeUndefined();
    expect(compiled.compileStats).toEqual({ recorded: 1, replayed: 29, interpreted: 0 });
    expect(compiled.losses).toEqual(interpreted.losses);
    expect([compiled.a, compiled.b]).toEqual([interpreted.a, interpreted.b]);
  });

  it("as a guide, its draws (uniformNoise through its quantile) replay in a compiled loss: same-seed interpreted losses, and the closed-form negative ELBO on average", () => {
    // p ~ Beta(2, 2), 7 of 10 flips; the guide p ~ Kumaraswamy(a, b). −ELBO = −∫ q(p) (log Beta(p; 2, 2) + 7 log p + 3 log(1 − p) − log q(p)) dp
    const flips = tf.tensor1d([1, 1, 1, 0, 1, 1, 0, 1, 0, 1]);
    function* coin(x: tf.Tensor1D) {
      const p = yield* sample("p", dist.Beta(2, 2));
      yield* plate("flips", x.shape[0], function* () {
        yield* sample("obs", dist.Bernoulli(p), { obs: x });
      });
    }
    function* guide(_x: tf.Tensor1D) {
      const a = yield* param("a", tf.scalar(2), { constraint: constraints.positive });
      const b = yield* param("b", tf.scalar(3), { constraint: constraints.positive });
      yield* sample("p", new Kumaraswamy(a, b));
    }
    const losses = (elbo: TraceELBO, calls: number) => {
      clearParamStore();
      setRngSeed(4);
      return Array.from({ length: calls }, () => tf.tidy(() => elbo.differentiableLoss(coin, guide, flips).dataSync()[0]!));
    };
    const compiled = new JitTraceELBO();
    const replayed = losses(compiled, 800);
    expect(replayed.slice(0, 10)).toEqual(losses(new TraceELBO(), 10));
    // the first call made the params, the second recorded
    expect(compiled.compileStats).toEqual({ recorded: 1, replayed: 798, interpreted: 0 });
    const { a, b } = getParamStore().values() as { a: number; b: number };
    const logBeta22 = (p: number) => Math.log(6) + Math.log(p) + Math.log1p(-p);
    const truth = -integrate((p) => Math.exp(logPdf64(a, b, p)) * (logBeta22(p) + 7 * Math.log(p) + 3 * Math.log1p(-p) - logPdf64(a, b, p)));
    const mean = replayed.reduce((s, v) => s + v, 0) / replayed.length;
    const se = Math.sqrt(replayed.reduce((s, v) => s + (v - mean) ** 2, 0) / replayed.length / replayed.length);
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - truth)).toBeLessThan(4 * se);
    flips.dispose();
  });
});
