/**
 * The exact posterior of (intercept, slope) in float64: with design rows
 * [1, x_i], precision Λ = I/PRIOR_SD² + XᵀX/sigma² and mean Λ⁻¹Xᵀy/sigma².
 */
import { PRIOR_SD } from "./model.js";

/** A bivariate Gaussian: mean [intercept, slope] and covariance 2×2. */
export interface Gaussian2 {
  mean: [number, number];
  cov: [[number, number], [number, number]];
}

/** The closed-form posterior of the regression in model.ts. */
export function exactPosterior(x: readonly number[], y: readonly number[], sigma: number): Gaussian2 {
  const s2 = sigma * sigma;
  const p00 = 1 / PRIOR_SD ** 2 + x.length / s2;
  const p01 = x.reduce((a, b) => a + b, 0) / s2;
  const p11 = 1 / PRIOR_SD ** 2 + x.reduce((a, b) => a + b * b, 0) / s2;
  const b0 = y.reduce((a, b) => a + b, 0) / s2;
  const b1 = x.reduce((a, xi, i) => a + xi * y[i]!, 0) / s2;
  const det = p00 * p11 - p01 * p01;
  const cov: [[number, number], [number, number]] = [[p11 / det, -p01 / det], [-p01 / det, p00 / det]];
  return {
    mean: [cov[0][0] * b0 + cov[0][1] * b1, cov[1][0] * b0 + cov[1][1] * b1],
    cov,
  };
}

/** The exact posterior predictive of a new y at x: N(m₀ + m₁x, [1 x] Σ [1 x]ᵀ + sigma²). */
export function exactPredictive(post: Gaussian2, x: number, sigma: number): { mean: number; sd: number } {
  const { mean, cov } = post;
  const v = cov[0][0] + 2 * x * cov[0][1] + x * x * cov[1][1] + sigma * sigma;
  return { mean: mean[0] + mean[1] * x, sd: Math.sqrt(v) };
}
