/**
 * Special functions tfjs lacks, on tensors, differentiable where needed:
 * lgamma (one float64 JS op, Lanczos g = 7) with digamma as its gradient, digamma (recurrence
 * up to x >= 6, then the asymptotic series), log-beta, and xlogy / xlog1py
 * (0 * log 0 = 0, with finite gradients there). Plain float64 JS versions
 * (lgammaNumber, digammaNumber, gammaincNumber) serve the samplers.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** digamma(x) = d/dx lgamma(x), for x > 0 (the domain every distribution here needs). */
export function digamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let acc = tf.zerosLike(x);
    let y: tf.Tensor = x;
    for (let k = 0; k < 6; k++) {
      acc = acc.sub(tf.reciprocal(y));
      y = y.add(1);
    }
    const inv = tf.reciprocal(y);
    const inv2 = inv.square();
    const series = y.log()
      .sub(inv.mul(0.5))
      .sub(inv2.mul(tf.scalar(1 / 12).sub(inv2.mul(tf.scalar(1 / 120).sub(inv2.mul(1 / 252))))));
    return acc.add(series);
  });
}

/** log Gamma(x), elementwise, with gradient digamma(x). */
/**
 * log Gamma(x), elementwise, with gradient digamma(x). One op: the values and
 * the gradient are computed in float64 JS, since the tensor Lanczos series
 * costs ~40 tfjs ops forward and more backward (the Dirichlet prior of every
 * HMM step pays it).
 */
export const lgamma: (x: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([x]) => {
  const xs = x.dataSync();
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = lgammaNumber(xs[i]!);
  return {
    value: tf.tensor(out, x.shape),
    gradFunc: (dy: tf.Tensor) => {
      const g = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) g[i] = digammaNumber(xs[i]!);
      return dy.mul(tf.tensor(g, x.shape));
    },
  };
});

/** log B(a) = sum lgamma(a_i) - lgamma(sum a_i) over the last axis. */
export function logMultivariateBeta(concentration: tf.Tensor): tf.Tensor {
  return tf.tidy(() => lgamma(concentration).sum(-1).sub(lgamma(concentration.sum(-1))));
}

/** Plain-JS lgamma in float64 (Lanczos), for samplers and reference values. */
export function lgammaNumber(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaNumber(1 - x);
  const xm1 = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (xm1 + i);
  const t = xm1 + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (xm1 + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), elementwise with broadcasting. */
export function logBeta(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => lgamma(a).add(lgamma(b)).sub(lgamma(a.add(b))));
}

/**
 * x * log(y), defined as 0 where x = 0 and y = 0. There the log's argument is
 * replaced by 1, so neither branch of the `where` carries a NaN gradient;
 * elsewhere the gradients are the usual log(y) and x / y.
 */
export function xlogy(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(replaceWhere(x, y, 0, 1).log()));
}

/** x * log1p(y), 0 where x = 0 and y = -1; see xlogy. */
export function xlog1py(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(replaceWhere(x, y, -1, 0).log1p()));
}

/**
 * y broadcast against x, with `value` where x = 0 and y = yAt. tf.where does
 * the broadcasting (its Tile has an any-rank gradient, see backend/gradient-fixes.ts).
 */
function replaceWhere(x: tf.Tensor, y: tf.Tensor, yAt: number, value: number): tf.Tensor {
  return tf.where(tf.logicalAnd(x.equal(0), y.equal(yAt)), tf.scalar(value, y.dtype), y);
}

/** Plain-JS digamma in float64, for x > 0 (recurrence to x >= 10, then the asymptotic series). */
export function digammaNumber(x: number): number {
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  return acc + Math.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
}

/**
 * Regularised incomplete gammas in float64, as the pair [P(a, x), Q(a, x)]
 * with P + Q = 1: the power series for P below x < a + 1, Lentz's continued
 * fraction for Q above it (Numerical Recipes 6.2). The one computed directly
 * keeps full relative accuracy even when it is tiny.
 */
export function gammaincPair(a: number, x: number): [number, number] {
  if (x <= 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  if (x < a + 1) {
    const p = gammaSeries(a, x);
    return [p, 1 - p];
  }
  const q = gammaContinuedFraction(a, x);
  return [1 - q, q];
}

/** P(a, x), the Gamma(a, 1) CDF at x. */
export function gammaincNumber(a: number, x: number): number {
  return gammaincPair(a, x)[0];
}

/** P(a, x) by its power series; converges for every x > 0, fast for x < a + 1. */
export function gammaSeries(a: number, x: number): number {
  if (x <= 0) return 0;
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 1_000_000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
  }
  return Math.min(1, sum * Math.exp(a * Math.log(x) - x - lgammaNumber(a)));
}

/** Q(a, x) by Lentz's continued fraction; fast for x > a + 1. */
export function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1_000_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(a * Math.log(x) - x - lgammaNumber(a)) * h);
}
