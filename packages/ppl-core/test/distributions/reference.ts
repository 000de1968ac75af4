// More float64 reference math for the continuous families, by methods independent of
// ppl-core's: the normal cdf and the truncated normal's moments by Simpson quadrature of
// the density, Bessel functions by the trapezoid rule on their integral representation
// (exponentially accurate for a periodic integrand).
export const SQRT_2PI = Math.sqrt(2 * Math.PI);
export const EULER_GAMMA = 0.5772156649015329; // OEIS A001620

export const phi64 = (z: number): number => Math.exp(-0.5 * z * z) / SQRT_2PI;

/** Composite Simpson's rule of f over [a, b] with n (even) panels. */
export function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Infinite bounds clipped to 40 standard units past the other end (the density is < 1e-300 there). */
function clip(a: number, b: number): [number, number] {
  return [Number.isFinite(a) ? a : Math.min(b, 0) - 40, Number.isFinite(b) ? b : Math.max(a, 0) + 40];
}

/** P(a <= Z <= b) for a standard normal Z, by quadrature of its density (keeps its digits in a tail). */
export function normalMass64(a: number, b: number): number {
  if (!(b > a)) return Number.isNaN(a) || Number.isNaN(b) ? NaN : 0;
  if (a === Infinity || b === -Infinity) return 0;
  const [lo, hi] = clip(a, b);
  if (hi - lo > 16 && lo < 0 && hi > 0) {
    // split at 0 so each half is a smooth, well-resolved integral
    return normalMass64(lo, 0) + normalMass64(0, hi);
  }
  return simpson(phi64, lo, hi, 4000);
}

/** Phi(z) for a standard normal. */
export const ndtr64 = (z: number): number => (z < 0 ? normalMass64(-Infinity, z) : 1 - normalMass64(z, Infinity));

/** Truncated standard normal on [a, b]: mean, variance and entropy by quadrature. */
export function truncatedMoments64(a: number, b: number): { mean: number; variance: number; entropy: number } {
  const Z = normalMass64(a, b);
  const [lo, hi] = clip(a, b);
  const mean = simpson((x) => x * phi64(x), lo, hi, 4000) / Z;
  const second = simpson((x) => x * x * phi64(x), lo, hi, 4000) / Z;
  const entropy = -simpson((x) => (phi64(x) / Z) * Math.log(phi64(x) / Z), lo, hi, 4000);
  return { mean, variance: second - mean * mean, entropy };
}

/** Modified Bessel function I_n(k) = (1/pi) int_0^pi e^{k cos t} cos(n t) dt. */
export function besselI64(n: number, k: number): number {
  const m = 400;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const t = (Math.PI * i) / m;
    s += (i === 0 || i === m ? 0.5 : 1) * Math.exp(k * Math.cos(t)) * Math.cos(n * t);
  }
  return s / m;
}
