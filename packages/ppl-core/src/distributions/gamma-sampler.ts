/**
 * Gamma(alpha, 1) draws in float64 JS by Marsaglia–Tsang, seeded.
 * tfjs's randomGamma only takes a JS-number alpha, so tensors of
 * concentrations go through here.
 */
import { makeRng, normalFrom } from "../rng.js";

export function sampleStandardGamma(alphas: ArrayLike<number>, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(alphas.length);
  for (let i = 0; i < alphas.length; i++) out[i] = gammaOne(alphas[i]!, rng);
  return out;
}

function gammaOne(alpha: number, rng: () => number): number {
  if (alpha < 1) {
    // boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
    const g = gammaOne(alpha + 1, rng);
    return g * Math.pow(1 - rng(), 1 / alpha);
  }
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalFrom(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
