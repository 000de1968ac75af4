/**
 * A Normal site's log-density as ONE differentiable op, computed in float64
 * JS. The tfjs form is 7 kernels forward and ~25 backward (each with its own
 * saved-tensor copies and casts); a markov loop has one such site per step,
 * so on the seed HMM this was the largest per-site cost after the
 * contraction. The tensors are tiny (K × plate size), so reading them into JS
 * is far cheaper than the kernel dispatch.
 *
 *   log N(x | μ, σ) = -½((x-μ)/σ)² - log σ - ½ log 2π, broadcast over x, μ, σ
 *   ∂/∂x = -z/σ,  ∂/∂μ = z/σ,  ∂/∂σ = (z² - 1)/σ
 */
import * as tf from "@tensorflow/tfjs";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** For every flat position of `out`, the flat position of an input of `shape` broadcast to it. */
function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = out.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  const lead = out.length - shape.length;
  const strides = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[lead + i] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i]!;
  }
  const coord = new Array<number>(out.length).fill(0);
  let flat = 0;
  for (let o = 0; o < n; o++) {
    idx[o] = flat;
    // odometer increment over `out`, keeping the input offset in step
    for (let d = out.length - 1; d >= 0; d--) {
      coord[d]!++;
      flat += strides[d]!;
      if (coord[d]! < out[d]!) break;
      flat -= strides[d]! * out[d]!;
      coord[d] = 0;
    }
  }
  return idx;
}

/** log N(value | loc, scale), broadcast to `outShape` (which every input must broadcast to). */
export function normalLogProb(value: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor, outShape: readonly number[]): tf.Tensor {
  const out = [...outShape];
  const op = tf.customGrad(((x: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => {
    const xd = x.dataSync();
    const md = m.dataSync();
    const sd = s.dataSync();
    const ix = broadcastIndex(x.shape, out);
    const im = broadcastIndex(m.shape, out);
    const is = broadcastIndex(s.shape, out);
    const n = ix.length;
    const lp = new Float32Array(n);
    // z/σ and (z²-1)/σ, kept (plain arrays) for the backward pass
    const zOverS = new Float64Array(n);
    const dS = new Float64Array(n);
    for (let o = 0; o < n; o++) {
      const sig = sd[is[o]!]!;
      const z = (xd[ix[o]!]! - md[im[o]!]!) / sig;
      lp[o] = -0.5 * z * z - Math.log(sig) - HALF_LOG_2PI;
      zOverS[o] = z / sig;
      dS[o] = (z * z - 1) / sig;
    }
    const shapes = [x.shape, m.shape, s.shape];
    return {
      value: tf.tensor(lp, out),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const gx = new Float32Array(xd.length);
        const gm = new Float32Array(md.length);
        const gs = new Float32Array(sd.length);
        for (let o = 0; o < n; o++) {
          const w = g[o]!;
          gx[ix[o]!]! -= w * zOverS[o]!;
          gm[im[o]!]! += w * zOverS[o]!;
          gs[is[o]!]! += w * dS[o]!;
        }
        return [tf.tensor(gx, shapes[0]), tf.tensor(gm, shapes[1]), tf.tensor(gs, shapes[2])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (x: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => tf.Tensor)(value, loc, scale);
}
