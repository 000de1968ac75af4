/**
 * Special functions tfjs lacks, on tensors, differentiable where needed:
 * lgamma (Lanczos, g = 7) with digamma as its gradient, and digamma
 * (recurrence up to x >= 6, then the asymptotic series).
 */
import * as tf from "@tensorflow/tfjs";
import { customGradient } from "./custom-grad.js";

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function lgammaPositive(x: tf.Tensor): tf.Tensor {
  // valid for x >= 0.5
  const xm1 = x.sub(1);
  let a: tf.Tensor = tf.scalar(LANCZOS[0]!);
  for (let i = 1; i < LANCZOS.length; i++) a = a.add(tf.scalar(LANCZOS[i]!).div(xm1.add(i)));
  const t = xm1.add(LANCZOS_G + 0.5);
  return t.log().mul(xm1.add(0.5)).sub(t).add(a.log()).add(HALF_LOG_2PI);
}

function lgammaValue(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const small = x.less(0.5);
    // reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)
    const safeBig = tf.where(small, tf.onesLike(x), x);
    const safeSmall = tf.where(small, x, tf.zerosLike(x));
    const reflected = tf.scalar(Math.log(Math.PI))
      .sub(tf.sin(safeSmall.mul(Math.PI)).abs().log())
      .sub(lgammaPositive(tf.scalar(1).sub(safeSmall)));
    return tf.where(small, reflected, lgammaPositive(safeBig));
  });
}

/** digamma(x) = d/dx lgamma(x), for x > 0 (the domain every distribution here needs). */
export function digamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let acc = tf.zerosLike(x);
    let y = x;
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
export const lgamma: (x: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([x], save) => {
  save([x]);
  return {
    value: lgammaValue(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => dy.mul(digamma(saved[0]!)),
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
