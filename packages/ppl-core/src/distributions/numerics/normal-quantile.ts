/**
 * The standard normal cdf Phi (ndtr), its inverse (ndtri) and the log of a
 * difference Phi(b) - Phi(a), as one differentiable op each, computed per
 * element in float64 JS (tfjs has erf but no erfc or erfinv, and float32 erf
 * loses the tails): cdf/icdf of Normal, LogNormal, HalfNormal, and the
 * float64 helpers behind TruncatedNormal.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "../../ops/custom-grad.js";

const SQRT_PI = Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** log(sqrt(2 pi e)): a standard normal's entropy. */
export const LOG_SQRT_2PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);

/** erfc(x) in float64, relative error ~1e-15: a positive-term series below 3, a continued fraction above. */
export function erfcNumber(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfcNumber(-x);
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1 3 5 ... (2n+1)): every term positive
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = e^{-x^2} / sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail
  let k = x;
  for (let n = 60; n >= 1; n--) k = x + n / 2 / k;
  return Math.exp(-x * x) / (SQRT_PI * k);
}

/** Phi(z) = P(Z <= z) for a standard normal Z, float64. */
export function ndtrNumber(z: number): number {
  return 0.5 * erfcNumber(-z / Math.SQRT2);
}

/** The standard normal density phi(z), float64. */
export function phiNumber(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

// Acklam's rational approximation of Phi^-1 (relative error 1.15e-9), then one Halley step
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Phi^-1(q), float64: -Infinity at 0, Infinity at 1, NaN outside [0, 1]. */
export function ndtriNumber(q: number): number {
  if (!(q >= 0 && q <= 1)) return NaN;
  if (q === 0) return -Infinity;
  if (q === 1) return Infinity;
  let x: number;
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    x = (((((C[0]! * r + C[1]!) * r + C[2]!) * r + C[3]!) * r + C[4]!) * r + C[5]!) / ((((D[0]! * r + D[1]!) * r + D[2]!) * r + D[3]!) * r + 1);
  } else if (q > 1 - 0.02425) {
    const r = Math.sqrt(-2 * Math.log1p(-q));
    x = -(((((C[0]! * r + C[1]!) * r + C[2]!) * r + C[3]!) * r + C[4]!) * r + C[5]!) / ((((D[0]! * r + D[1]!) * r + D[2]!) * r + D[3]!) * r + 1);
  } else {
    const s = q - 0.5;
    const r = s * s;
    x = ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * s) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  }
  // Halley: e = Phi(x) - q, the upper tail measured from 1 so it keeps its digits
  const e = q > 0.5 ? q - 1 + 0.5 * erfcNumber(x / Math.SQRT2) : ndtrNumber(x) - q;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

function mapNumbers(x: tf.Tensor, f: (v: number) => number): { xs: Float32Array | Int32Array | Uint8Array; out: Float32Array } {
  const xs = x.dataSync() as Float32Array;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]!);
  return { xs, out };
}

/** Phi(z) elementwise, with gradient phi(z). */
export const ndtr: (z: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([z]) => {
  const { xs, out } = mapNumbers(z, ndtrNumber);
  return {
    value: tf.tensor(out, z.shape),
    gradFunc: (dy: tf.Tensor) => dy.mul(tf.tensor(Float32Array.from(xs, (v) => phiNumber(v)), z.shape)),
  };
});

/** Phi^-1(q) elementwise, with gradient 1 / phi(Phi^-1(q)). */
export const ndtri: (q: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([q]) => {
  const xs = q.dataSync();
  const out64 = Float64Array.from(xs, (v) => ndtriNumber(v));
  return {
    value: tf.tensor(Float32Array.from(out64), q.shape),
    gradFunc: (dy: tf.Tensor) => dy.mul(tf.tensor(Float32Array.from(out64, (x) => 1 / phiNumber(x)), q.shape)),
  };
});

/** log(Phi(b) - Phi(a)) for a < b, float64; from the upper tail when a > 0 so neither difference cancels to 0. */
export function logNdtrDiffNumber(a: number, b: number): number {
  if (a > 0) return Math.log(0.5 * (erfcNumber(a / Math.SQRT2) - erfcNumber(b / Math.SQRT2)));
  return Math.log(ndtrNumber(b) - ndtrNumber(a));
}
