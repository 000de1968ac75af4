// The regression example end to end: AutoMultivariateNormal's posterior
// against the closed-form conjugate posterior (conjugate.ts, float64), and
// Predictive's band against the exact posterior predictive N(m₀ + m₁x, [1 x]Σ[1 x]ᵀ + sigma²).
import { describe, expect, it } from "vitest";
import { exactPosterior, exactPredictive } from "../src/conjugate.js";
import { TRUTH, makeData } from "../src/data.js";
import { fit } from "../src/fit.js";
import { bandFigure } from "../src/plots.js";

const Z95 = 1.6448536269514722;

describe("examples/regression", () => {
  const { x, y } = makeData();
  const exact = exactPosterior(x, y, TRUTH.sigma);
  const sd = [0, 1].map((i) => Math.sqrt(exact.cov[i]![i]!));
  const result = fit(x, y, TRUTH.sigma, { steps: 1200, numSamples: 2000, grid: [0, 5, 10] });

  it("reports quantiles of the posterior within tolerance of the conjugate posterior's", () => {
    for (const [i, site] of (["intercept", "slope"] as const).entries()) {
      const [q5, q50, q95] = result.quantiles[site];
      expect(Math.abs(q50! - exact.mean[i]!)).toBeLessThan(0.2 * sd[i]!);
      expect(Math.abs(q5! - (exact.mean[i]! - Z95 * sd[i]!))).toBeLessThan(0.4 * sd[i]!);
      expect(Math.abs(q95! - (exact.mean[i]! + Z95 * sd[i]!))).toBeLessThan(0.4 * sd[i]!);
      expect(Math.abs(Math.sqrt(result.posterior.cov[i]![i]!) - sd[i]!) / sd[i]!).toBeLessThan(0.2);
    }
    // x is not centred, so intercept and slope are strongly anticorrelated: the full-rank guide must find it
    const corr = (c: number[][]) => c[0]![1]! / Math.sqrt(c[0]![0]! * c[1]![1]!);
    expect(corr(exact.cov)).toBeLessThan(-0.8);
    expect(Math.abs(corr(result.posterior.cov) - corr(exact.cov))).toBeLessThan(0.1);
  });

  it("draws the posterior predictive band from Predictive around the exact predictive", () => {
    expect(result.band.map((b) => b.x)).toEqual([0, 5, 10]);
    for (const b of result.band) {
      const p = exactPredictive(exact, b.x, TRUTH.sigma);
      // mean of 2000 draws: se = sd/sqrt(2000); the guide's own error adds a little
      expect(Math.abs(b.mean - p.mean)).toBeLessThan(4 * p.sd / Math.sqrt(2000) + 0.2 * sd[0]!);
      expect(Math.abs(b.hi - b.lo - 2 * Z95 * p.sd) / (2 * Z95 * p.sd)).toBeLessThan(0.1);
      expect(b.lo < b.median && b.median < b.hi).toBe(true);
    }
    const spec = bandFigure(x, y, result.band);
    expect(JSON.stringify(spec)).toContain("posterior predictive band");
  });
});
