/**
 * Σ_i w_i · sum(t_i) over tensors of any shapes, as ONE differentiable op
 * summed in float64 JS. An ELBO adds up one log-density tensor per site, and
 * as a chain of sum and add kernels (with their saved copies and backward
 * reshapes) that costs ~6 kernels per site per step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type FusableOp, type RowSumSpec, customGradient } from "./custom-grad.js";

/** The weighted total of every element of every term (weights are plain numbers, not differentiated). */
export function weightedSum(terms: readonly tf.Tensor[], weights: readonly number[]): tf.Scalar {
  if (terms.length !== weights.length) throw new Error(`weightedSum: ${terms.length} terms but ${weights.length} weights`);
  if (terms.length === 0) return tf.scalar(0);
  const op = weightedSumOp(weights, terms.map(() => undefined));
  return customGradient<tf.Tensor[]>(op.f, op.fusion)(...terms) as tf.Scalar;
}

/**
 * The op, with term i read through a row sum of `sums[i]` when it is set (a compiled loss's fusion, jit/fuse.ts:
 * the row sums of sumRightmost, each rounded to float32 as its value was, added in its order, to the bit).
 */
function weightedSumOp(weights: readonly number[], sums: readonly (RowSumSpec | undefined)[]): FusableOp {
  return {
    f: (inputs) => {
      let total = 0;
      inputs.forEach((t, i) => {
        total += weights[i]! * termSum(t.dataSync(), sums[i]?.block);
      });
      const shapes = inputs.map((t) => t.shape);
      return {
        value: tf.scalar(total),
        // each element's gradient is its term's weight times dy (through a row sum too: it spreads dy over its row)
        gradFunc: (dy: tf.Tensor) => {
          const g = dy.dataSync()[0]!;
          return shapes.map((shape, i) => tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(weights[i]! * g), shape));
        },
      };
    },
    fusion: sums.some((r) => r !== undefined) ? {} : { throughRowSums: (more) => weightedSumOp(weights, more) },
  };
}

/** Σ of d, or with `block`, Σ over its rows of each row's float64 sum rounded to float32. */
function termSum(d: ArrayLike<number>, block: number | undefined): number {
  let s = 0;
  if (block === undefined) {
    for (let k = 0; k < d.length; k++) s += d[k]!;
    return s;
  }
  for (let r = 0; r < d.length; r += block) {
    let acc = 0;
    for (let k = r; k < r + block; k++) acc += d[k]!;
    s += Math.fround(acc);
  }
  return s;
}
