// The example fits with the compiled ELBO by default (docs/compiled.md): AutoMultivariateNormal draws every
// step, and each replay makes its draws again from the seeded stream. Its steps replay (exact counts, no
// fall-back message); its losses are those of the interpreted TraceELBO from the same seed (the reference
// path), and late in the fit, where the guide is the exact posterior, every draw's log p(y, θ) − log q(θ) is
// log p(y): the losses approach −log p(y), the conjugate model's log evidence in closed form (float64 below;
// 72.15 for the example's data, the last ten logged losses' mean 72.19 at 600 steps).
import { afterEach, describe, expect, it, vi } from "vitest";
import { PRIOR_SD } from "../src/model.js";
import { TRUTH, makeData } from "../src/data.js";
import { fit } from "../src/fit.js";

/**
 * −log p(y) for y ~ N(0, sigma² I + PRIOR_SD² X Xᵀ), X's rows [1, x_i]: by the matrix determinant lemma
 * log det = n log sigma² + log det(Λ PRIOR_SD²), Λ = I/PRIOR_SD² + XᵀX/sigma² (the posterior precision),
 * and by Woodbury the quadratic form is yᵀy/sigma² − bᵀΛ⁻¹b with b = Xᵀy/sigma².
 */
function negLogEvidence(x: readonly number[], y: readonly number[], sigma: number): number {
  const n = x.length;
  const s2 = sigma * sigma;
  const p00 = 1 / PRIOR_SD ** 2 + n / s2;
  const p01 = x.reduce((a, b) => a + b, 0) / s2;
  const p11 = 1 / PRIOR_SD ** 2 + x.reduce((a, b) => a + b * b, 0) / s2;
  const det = p00 * p11 - p01 * p01;
  const b0 = y.reduce((a, b) => a + b, 0) / s2;
  const b1 = x.reduce((a, xi, i) => a + xi * y[i]!, 0) / s2;
  const bLb = (p11 * b0 * b0 - 2 * p01 * b0 * b1 + p00 * b1 * b1) / det;
  const quad = y.reduce((a, b) => a + b * b, 0) / s2 - bLb;
  const logDet = n * Math.log(s2) + Math.log(det * PRIOR_SD ** 4);
  return 0.5 * (n * Math.log(2 * Math.PI) + logDet + quad);
}

afterEach(() => vi.restoreAllMocks());

describe("examples/regression fits with JitTraceELBO by default", () => {
  const { x, y } = makeData();

  it("its steps replay, its losses are the same-seed interpreted run's, and they reach −log p(y)", () => {
    const warn = vi.spyOn(console, "warn");
    const steps = 600;
    const options = { steps, numSamples: 10, grid: [0], seed: 4 };
    const compiled = fit(x, y, TRUTH.sigma, options);
    // SVI made the params before its first step, which recorded; every later step replayed
    expect(compiled.compileStats).toEqual({ recorded: 1, replayed: steps - 1, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    const interpreted = fit(x, y, TRUTH.sigma, { ...options, compiled: false });
    expect(interpreted.compileStats).toBeUndefined();
    expect(compiled.losses).toEqual(interpreted.losses);
    const late = compiled.losses.slice(-10);
    const truth = negLogEvidence(x, y, TRUTH.sigma);
    // each a 2-particle estimate at the step's params: their mean (KL(q‖posterior) ≥ 0 above it, plus noise)
    const mean = late.reduce((a, b) => a + b, 0) / late.length;
    expect(Math.abs(mean - truth)).toBeLessThan(0.2);
    // the first losses were far above it: the fit moved
    expect(compiled.losses[0]! - truth).toBeGreaterThan(10);
  });
});
