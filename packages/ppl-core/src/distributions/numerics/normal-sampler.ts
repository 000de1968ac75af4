/**
 * Normal draws loc + scale · ε as ONE differentiable op. As tfjs ops (a
 * multiply and an add, each broadcasting a parameter over the draws) every
 * Normal site of a guide paid 2 kernels forward and ~8 backward (the
 * broadcasts' sums and reshapes, casts) per step. The ε are tfjs's own seeded
 * draws and the float32 arithmetic is the same (Math.fround after each of the
 * multiply and the add), so the values are identical.
 *
 *   ∂x/∂loc = 1,  ∂x/∂scale = ε, summed over the draws each parameter was broadcast to
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastIndex } from "../../ops/broadcast-index.js";
import { customGradient } from "../../ops/custom-grad.js";
import { sizeOf } from "../../ops/tensor.js";

/** Draws of `shape` (which loc and scale broadcast to) from Normal(loc, scale), reparameterised. */
export function rsampleNormal(loc: tf.Tensor, scale: tf.Tensor, shape: readonly number[], seed: number): tf.Tensor {
  return rsampleNormalFromNoise(loc, scale, shape, normalNoise(shape, seed));
}

/** The standard normal noise ε of `shape` that rsampleNormal draws with `seed` (tfjs's seeded draws). */
export function normalNoise(shape: readonly number[], seed: number): Float32Array {
  const t = tf.randomNormal([...shape], 0, 1, "float32", seed);
  const eps = t.dataSync() as Float32Array;
  t.dispose();
  return eps;
}

/** loc + scale · ε for given noise ε of `shape` (a guide that scores its own draws keeps ε: ops/normal-logprob.ts normalLogProbOfNoise). */
export function rsampleNormalFromNoise(loc: tf.Tensor, scale: tf.Tensor, shape: readonly number[], eps: Float32Array): tf.Tensor {
  const n = sizeOf(shape);
  // the noise is not a tensor input, so the op is built per call around it
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([m, s]) => {
    const im = broadcastIndex(m.shape, shape);
    const is = broadcastIndex(s.shape, shape);
    return {
      value: tf.tensor(draws(eps, m.dataSync(), im, s.dataSync(), is, n), [...shape]),
      gradFunc: (dy: tf.Tensor) => {
        const w = dy.dataSync();
        const gm = new Float64Array(m.size);
        const gs = new Float64Array(s.size);
        for (let i = 0; i < n; i++) {
          gm[im === null ? i : im[i]!]! += w[i]!;
          gs[is === null ? i : is[i]!]! += w[i]! * eps[i]!;
        }
        return [tf.tensor(new Float32Array(gm), m.shape), tf.tensor(new Float32Array(gs), s.shape)];
      },
    };
  });
  return op(loc, scale);
}

// Loops in module-level functions ending in a return of a local (see ops/normal-logprob.ts for why).

function draws(
  eps: ArrayLike<number>, m: ArrayLike<number>, im: Int32Array | null, s: ArrayLike<number>, is: Int32Array | null, n: number,
): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.fround(eps[i]! * s[is === null ? i : is[i]!]!) + m[im === null ? i : im[i]!]!;
  return x;
}
