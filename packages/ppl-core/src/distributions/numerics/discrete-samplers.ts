/**
 * Poisson and Binomial draws in float64 JS, seeded: inversion for small
 * means, Hörmann's transformed rejection (PTRS, BTRS) for large ones, so the
 * cost per draw stays bounded as the rate or count grows.
 */
import { lgammaNumber } from "../../ops/special.js";
import { makeRng } from "../../rng.js";

export function samplePoisson(rates: ArrayLike<number>, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(rates.length);
  for (let i = 0; i < rates.length; i++) out[i] = poissonOne(rates[i]!, rng);
  return out;
}

export function sampleBinomial(counts: ArrayLike<number>, probs: ArrayLike<number>, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    const p = probs[i]!;
    // BTRS needs p <= 1/2; the count of failures is Binomial(n, 1 - p)
    out[i] = p <= 0.5 ? binomialOne(n, p, rng) : n - binomialOne(n, 1 - p, rng);
  }
  return out;
}

function poissonOne(lam: number, rng: () => number): number {
  if (lam <= 0) return 0;
  if (lam < 10) {
    // inversion: walk the CDF from 0
    const u = rng();
    let k = 0;
    let p = Math.exp(-lam);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k += 1;
      p *= lam / k;
      cdf += p;
    }
    return k;
  }
  // PTRS, Hörmann (1993), as in NumPy
  const slam = Math.sqrt(lam);
  const logLam = Math.log(lam);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lam + k * logLam - lgammaNumber(k + 1)) return k;
  }
}

function binomialOne(n: number, p: number, rng: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n * p < 10) {
    // inversion with the pmf recurrence f(k+1) = f(k) (n-k)/(k+1) p/q
    const q = 1 - p;
    const r = p / q;
    const u = rng();
    let k = 0;
    let f = Math.exp(n * Math.log1p(-p));
    let cdf = f;
    while (u > cdf && k < n) {
      f *= (r * (n - k)) / (k + 1);
      k += 1;
      cdf += f;
    }
    return k;
  }
  // BTRS, Hörmann (1993), with the exact log pmf ratio in the final test
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const logR = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const logFm = lgammaNumber(m + 1) + lgammaNumber(n - m + 1);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    const logV = Math.log((v * alpha) / (a / (us * us) + b));
    if (logV <= logFm - lgammaNumber(k + 1) - lgammaNumber(n - k + 1) + (k - m) * logR) return k;
  }
}

/**
 * Multinomial draws: for each of the rows of `probs` (K entries each, not
 * necessarily normalised), `totalCount` trials split by conditional binomials
 * x_j ~ Binomial(n - x_1 - ... - x_{j-1}, p_j / (p_j + ... + p_K)), so a draw
 * costs O(K) binomials however large the count.
 */
export function sampleMultinomial(totalCount: number, probs: ArrayLike<number>, K: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(probs.length);
  for (let o = 0; o < probs.length; o += K) {
    let rest = 0;
    for (let j = 0; j < K; j++) rest += Math.max(0, probs[o + j]!);
    let left = totalCount;
    for (let j = 0; j < K - 1 && left > 0; j++) {
      const pj = Math.max(0, probs[o + j]!);
      const q = rest > 0 ? Math.min(1, pj / rest) : 0;
      const x = q >= 1 ? left : q <= 0.5 ? binomialOne(left, q, rng) : left - binomialOne(left, 1 - q, rng);
      out[o + j] = x;
      left -= x;
      rest -= pj;
    }
    if (left > 0) out[o + K - 1] = left;
  }
  return out;
}
