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
  // idx is saved, not passed as an input: customGrad would treat an input as
  // differentiable, and a closure would see it disposed by an enclosing tidy.
  const op = customGradient<[tf.Tensor]>(([values], save) => {
    save([flat]);
    return {
      value: tf.gather(values, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const hot = tf.oneHot(saved[0]!, n).cast("float32");
        return tf.matMul(hot, dy.reshape([-1, 1]), true, false).reshape([n]);
      },
    };
  });
  return op(x).reshape(idx.shape);
}
