/**
 * Σ over plate axes with a cheaper gradient than tf.sum's. tfjs's Sum
 * gradient multiplies dy by `ones(x.shape)`, and filling that array in JS
 * cost ~3 ms per 0.5 M entries (hmm.py model_1's [32, 16, 32, 32] emission
 * batches, two a step). Here dy is broadcast by adding it to zeros (a
 * calloc'd array, one wasm broadcast): [32, 16, 32, 32] summed over its last
 * axis, forward + backward, 3.4-6.6 -> 2.3-2.8 ms (wasm, median of 15, six
 * rounds); a JS loop writing the broadcast was 3.7-4.9 ms (the copy into the
 * wasm heap costs as much as the broadcast).
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "ppl-core/internal";

export function plateSum(x: tf.Tensor, axes: readonly number[]): tf.Tensor {
  if (axes.length === 0) return x;
  const shape = x.shape;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const op = customGradient<[tf.Tensor]>(([input]) => ({
    value: input.sum([...axes]),
    gradFunc: (dy: tf.Tensor) => dy.reshape(kept).add(tf.zeros(shape)),
    // a compiled loss may fold the sum into the op that made x (ppl-core's jit/fuse.ts)
  }), { sum: { axes, shape } });
  return op(x);
}
