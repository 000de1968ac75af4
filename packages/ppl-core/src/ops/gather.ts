/**
 * Gather from a flat tensor with a gradient on every backend. The wasm
 * backend has no gather gradient (no UnsortedSegmentSum kernel), so the
 * backward pass scatters through a one-hot matMul, which all backends have.
 */
import * as tf from "@tensorflow/tfjs";
import { customGradient } from "./custom-grad.js";

/** `x[idx]` for a 1-D x and int32 idx of any shape; differentiable in x. */
export function gatherFlat(x: tf.Tensor1D, idx: tf.Tensor): tf.Tensor {
  const flat = idx.reshape([-1]);
  const n = x.shape[0];
  // idx is captured, not passed: customGrad would treat it as a float input.
  const op = customGradient<[tf.Tensor]>(([values]) => ({
    value: tf.gather(values, flat),
    gradFunc: (dy: tf.Tensor) => {
      const hot = tf.oneHot(flat, n).cast("float32");
      return tf.matMul(hot, dy.reshape([-1, 1]), true, false).reshape([n]);
    },
  }));
  return op(x).reshape(idx.shape);
}
