/**
 * The example's data: a straight line with Gaussian noise, drawn from a
 * seeded JS generator so every run (and the test) sees the same points.
 */
import { makeRng } from "ppl-core";

/** The line the data is drawn from, and the noise sd the model knows. */
export const TRUTH = { intercept: 1.5, slope: 0.8, sigma: 1 } as const;

/** `n` points with x uniform on [0, 10] and y = intercept + slope·x + N(0, sigma²). */
export function makeData(n = 40, seed = 2026): { x: number[]; y: number[] } {
  const rng = makeRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x = Array.from({ length: n }, () => 10 * rng());
  const y = x.map((xi) => TRUTH.intercept + TRUTH.slope * xi + TRUTH.sigma * normal());
  return { x, y };
}
