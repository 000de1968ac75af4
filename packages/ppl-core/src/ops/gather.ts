/**
 * Gather from a flat tensor with a gradient on every backend, both passes as
 * JS loops: the backward pass scatter-adds dy into x's shape (float64 sums;
 * a one-hot matMul did it before, and its [indices, n] matrix ran wasm out
 * of memory for hmm.py's larger tables, 16 M entries a step), and the forward
 * pass reads x[idx] directly: wasm's GatherV2 checks every index through a
 * closure in JS and cost ~1.2 ms for hmm.py model_6's 4 096-entry tables,
 * 64 of them a step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLShapeError } from "../errors.js";
import { customGradient } from "./custom-grad.js";
import { type KernelValues, writeTensor } from "./kernel-io.js";

/** `x[idx]` for a 1-D x and int32 idx of any shape; differentiable in x. */
export function gatherFlat(x: tf.Tensor1D, idx: tf.Tensor): tf.Tensor {
  const n = x.shape[0];
  if (x.dtype !== "float32") return tf.gather(x, idx.reshape([-1])).reshape(idx.shape);
  // the indices are read now, as plain data, and checked once (a compiled loss replays the op with them):
  // they get no gradient, and a tensor kept for the backward pass could be disposed by an enclosing tidy first
  const flat = idx.dataSync();
  checkIndices(flat, n);
  const shape = idx.shape;
  // a compiled loss may fold the gather into the op that reads it (custom-grad.ts, jit/fuse.ts)
  const op = customGradient<[tf.Tensor]>(([values]) => ({
    value: writeTensor(shape, [values], (out, [xs]) => gathered(xs!, flat, out)),
    gradFunc: (dy: tf.Tensor) => writeTensor([n], [dy], (g, [dys]) => scatterAdd(flat, dys!, g)),
  }), { gather: { flat, size: n, shape } });
  return op(x);
}

/** An index that is not an integer in [0, n) is an error (tf.gather checks the range too). */
function checkIndices(idx: ArrayLike<number>, n: number): void {
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    if (!(j >= 0 && j < n && Number.isInteger(j))) {
      throw new PPLShapeError(`gatherFlat: index ${j} (flat element ${i}) is out of range for a table of ${n} entries`, {
        expected: `integers in [0, ${n - 1}]`,
        actual: String(j),
      });
    }
  }
}

/** out[i] = x[idx[i]]. */
function gathered(x: KernelValues, idx: ArrayLike<number>, out: Float32Array): Float32Array {
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!;
  return out;
}

/** g[idx[i]] += dy[i], summed in float64. */
function scatterAdd(idx: ArrayLike<number>, dy: KernelValues, g: Float32Array): Float32Array {
  const acc = new Float64Array(g.length);
  for (let i = 0; i < idx.length; i++) acc[idx[i]!]! += dy[i]!;
  for (let i = 0; i < g.length; i++) g[i] = acc[i]!;
  return g;
}
