/**
 * Beta draws as ONE differentiable op: x = G1 / (G1 + G0) from two seeded
 * standard Gamma draws (gamma-sampler.ts), clamped into (0, 1), with the
 * gradient in both concentrations by implicit reparameterisation of each
 * Gamma. As tfjs ops (two broadcasts, two Gamma ops, add, divide, clamp) it
 * was ~10 kernels forward and ~20 backward per Beta site and step; the draws
 * and their float32 arithmetic are the same, so the values are identical.
 *
 *   ∂x/∂a = G0 / (G1 + G0)² · ∂G1/∂a,  ∂x/∂b = -G1 / (G1 + G0)² · ∂G0/∂b, 0 where the clamp bites
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastIndex } from "../../ops/broadcast-index.js";
import { customGradient } from "../../ops/custom-grad.js";
import { sizeOf } from "../../ops/tensor.js";
import { hashSeed } from "../../rng.js";
import { sampleStandardGamma, standardGammaGradAlpha } from "./gamma-sampler.js";

/**
 * Beta(concentration1, concentration0) draws of `shape` (which both concentrations broadcast to), clamped
 * to [low, high]; `seed` seeds G1 and a hash of it G0.
 */
export function rsampleBeta(
  concentration1: tf.Tensor, concentration0: tf.Tensor, shape: readonly number[], seed: number, low: number, high: number,
): tf.Tensor {
  const n = sizeOf(shape);
  // the seed is not a tensor input, so the op is built per call around it
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([a, b]) => {
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    const as = spread(a.dataSync(), ia, n);
    const bs = spread(b.dataSync(), ib, n);
    const g1 = sampleStandardGamma(as, seed);
    const g0 = sampleStandardGamma(bs, hashSeed(seed, "Beta.concentration0"));
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.min(Math.max(Math.fround(g1[i]! / Math.fround(g1[i]! + g0[i]!)), low), high);
    return {
      value: tf.tensor(x, [...shape]),
      gradFunc: (dy: tf.Tensor) => {
        const w = dy.dataSync();
        const ga = new Float64Array(a.size);
        const gb = new Float64Array(b.size);
        for (let i = 0; i < n; i++) {
          const s = g1[i]! + g0[i]!;
          const r = Math.fround(g1[i]! / Math.fround(s));
          if (!(r >= low && r <= high)) continue;
          const ws = w[i]! / (s * s);
          ga[ia === null ? i : ia[i]!]! += ws * g0[i]! * standardGammaGradAlpha(g1[i]!, as[i]!);
          gb[ib === null ? i : ib[i]!]! -= ws * g1[i]! * standardGammaGradAlpha(g0[i]!, bs[i]!);
        }
        return [tf.tensor(Float32Array.from(ga), a.shape), tf.tensor(Float32Array.from(gb), b.shape)];
      },
    };
  });
  return op(concentration1, concentration0);
}

/** A parameter's values at every element of the draw's shape. */
function spread(v: ArrayLike<number>, index: Int32Array | null, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v[index === null ? i : index[i]!]!;
  return out;
}
