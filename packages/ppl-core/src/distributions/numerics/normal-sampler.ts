/**
 * Normal draws loc + scale · ε as ONE differentiable op. As tfjs ops (a
 * multiply and an add, each broadcasting a parameter over the draws) every
 * Normal site of a guide paid 2 kernels forward and ~8 backward (the
 * broadcasts' sums and reshapes, casts) per step. The ε are tfjs's own seeded
 * draws and the float32 arithmetic is the same (Math.fround after each of the
 * multiply and the add), so the values are identical. ε is the op's third
 * input (the stream's noise, rng.ts): a compiled loss replays the op with
 * fresh noise.
 *
 *   ∂x/∂loc = 1,  ∂x/∂scale = ε, summed over the draws each parameter was broadcast to;
 *   ε is never differentiated (noise, not a param): its gradient is reported as zeros
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastIndex } from "../../ops/broadcast-index.js";
import { customGradient } from "../../ops/custom-grad.js";
import { sizeOf } from "../../ops/tensor.js";
import { normalNoise } from "../../rng.js";

/** Draws of `shape` (which loc and scale broadcast to) from Normal(loc, scale), reparameterised. */
export function rsampleNormal(loc: tf.Tensor, scale: tf.Tensor, shape: readonly number[], seed: number): tf.Tensor {
  const noise = normalNoise(shape, seed);
  const x = rsampleNormalFromNoise(loc, scale, noise);
  noise.dispose(); // read by the op's forward run; its gradient needs only its shape
  return x;
}

/** loc + scale · ε for given standard normal noise ε (a guide that scores its own draws keeps ε: ops/normal-logprob.ts normalLogProbOfNoise). */
export function rsampleNormalFromNoise(loc: tf.Tensor, scale: tf.Tensor, noise: tf.Tensor): tf.Tensor {
  const shape = noise.shape;
  const n = sizeOf(shape);
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([m, s, e]) => {
    const im = broadcastIndex(m.shape, shape);
    const is = broadcastIndex(s.shape, shape);
    const eps = e.dataSync();
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
        return [tf.tensor(new Float32Array(gm), m.shape), tf.tensor(new Float32Array(gs), s.shape), tf.zeros(shape)];
      },
    };
  });
  return op(loc, scale, noise);
}

// Loops in module-level functions ending in a return of a local (see ops/normal-logprob.ts for why).

function draws(
  eps: ArrayLike<number>, m: ArrayLike<number>, im: Int32Array | null, s: ArrayLike<number>, is: Int32Array | null, n: number,
): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.fround(eps[i]! * s[is === null ? i : is[i]!]!) + m[im === null ? i : im[i]!]!;
  return x;
}
