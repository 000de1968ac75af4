/**
 * Gamma(alpha, 1) draws in float64 JS by Marsaglia–Tsang, seeded, and their
 * implicit reparameterisation gradient (Figurnov et al. 2018). tfjs's
 * randomGamma only takes a JS-number alpha and has no gradient, so tensors of
 * concentrations go through here.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "../../ops/custom-grad.js";
import { gammaContinuedFraction, gammaSeries, lgammaNumber } from "../../ops/special.js";
import { makeRng, normalFrom } from "../../rng.js";

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

/**
 * dx/dalpha for x ~ Gamma(alpha, 1) held at a fixed quantile: minus the CDF's
 * alpha-derivative over the density. The alpha-derivative is a central
 * difference of the float64 incomplete gamma, taken on whichever of P or Q is
 * computed directly at the centre so that tails keep their relative accuracy.
 */
export function standardGammaGradAlpha(x: number, alpha: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 0;
  const h = 1e-4 * Math.min(alpha, Math.sqrt(alpha));
  const logPdf = (alpha - 1) * Math.log(x) - x - lgammaNumber(alpha);
  let dCdf: number;
  if (x < alpha + 1) dCdf = (gammaSeries(alpha + h, x) - gammaSeries(alpha - h, x)) / (2 * h);
  else dCdf = -(gammaContinuedFraction(alpha + h, x) - gammaContinuedFraction(alpha - h, x)) / (2 * h);
  const g = -dCdf / Math.exp(logPdf);
  return Number.isFinite(g) ? g : 0;
}

/**
 * Standard Gamma draws with alpha's own shape (broadcast alpha to the sample
 * shape first), differentiable in alpha by implicit reparameterisation.
 */
export function rsampleStandardGamma(alpha: tf.Tensor, seed: number): tf.Tensor {
  // the seed is not a tensor input, so the op is built per call around it
  const op = customGradient<[tf.Tensor]>(([a], save) => {
    const value = tf.tensor(sampleStandardGamma(a.dataSync(), seed), a.shape, "float32");
    save([a, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const av = saved[0]!.dataSync();
        const xv = saved[1]!.dataSync();
        const g = new Float32Array(av.length);
        for (let i = 0; i < g.length; i++) g[i] = standardGammaGradAlpha(xv[i]!, av[i]!);
        return dy.mul(tf.tensor(g, saved[0]!.shape, "float32"));
      },
    };
  });
  return op(alpha);
}
