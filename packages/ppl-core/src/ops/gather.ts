/**
 * Gather from a flat tensor with a gradient on every backend: the backward
 * pass scatter-adds dy into x's shape in a JS loop (float64 sums). A one-hot
 * matMul did it before; its [indices, n] matrix ran wasm out of memory for
 * hmm.py's larger tables (16 M entries a step).
 */
import * as tf from "@tensorflow/tfjs";
import { customGradient } from "./custom-grad.js";

/** `x[idx]` for a 1-D x and int32 idx of any shape; differentiable in x. */
export function gatherFlat(x: tf.Tensor1D, idx: tf.Tensor): tf.Tensor {
  const flat = idx.reshape([-1]);
  const n = x.shape[0];
  // idx is saved, not passed as an input: customGrad would treat an input as
  // differentiable, and a closure would see it disposed by an enclosing tidy.
  const op = customGradient<[tf.Tensor]>(([values], save) => {
    save([flat]);
    return {
      value: tf.gather(values, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tensor1d(scatterAdd(saved[0]!.dataSync(), dy.dataSync(), n)),
    };
  });
  return op(x).reshape(idx.shape);
}

/** g[idx[i]] += dy[i], summed in float64. */
function scatterAdd(idx: ArrayLike<number>, dy: ArrayLike<number>, n: number): Float32Array {
  const g = new Float64Array(n);
  for (let i = 0; i < idx.length; i++) g[idx[i]!]! += dy[i]!;
  return Float32Array.from(g);
}
