/**
 * Σ_i w_i · sum(t_i) over tensors of any shapes, as ONE differentiable op
 * summed in float64 JS. An ELBO adds up one log-density tensor per site, and
 * as a chain of sum and add kernels (with their saved copies and backward
 * reshapes) that costs ~6 kernels per site per step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";

/** The weighted total of every element of every term (weights are plain numbers, not differentiated). */
export function weightedSum(terms: readonly tf.Tensor[], weights: readonly number[]): tf.Scalar {
  if (terms.length !== weights.length) throw new Error(`weightedSum: ${terms.length} terms but ${weights.length} weights`);
  if (terms.length === 0) return tf.scalar(0);
  const op = customGradient<tf.Tensor[]>((inputs) => {
    let total = 0;
    inputs.forEach((t, i) => {
      const d = t.dataSync();
      let s = 0;
      for (let k = 0; k < d.length; k++) s += d[k]!;
      total += weights[i]! * s;
    });
    const shapes = inputs.map((t) => t.shape);
    return {
      value: tf.scalar(total),
      // each element's gradient is its term's weight times dy: filled in JS, no Fill kernel
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync()[0]!;
        return shapes.map((shape, i) => tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(weights[i]! * g), shape));
      },
    };
  });
  return op(...terms) as tf.Scalar;
}
