/**
 * One tensor x at some steps of a chain and 0 (the log of 1) at the others:
 * [steps, ...x.shape], written in JS. A markov chain's transition is one
 * tensor per parity of the recycled enumeration dim, so each parity's
 * transition sits at every other step. The tensor form (a broadcast and a
 * select, since 0 · -Infinity is NaN) cost ~3 ms a step on wasm for hmm.py's
 * [63, 16, 16] (`where` tiles its bool mask up to the full shape); the JS copy
 * and the gradient's sum over the present steps touch each entry once.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "ppl-core/internal";

export function spreadOverSteps(x: tf.Tensor, present: readonly boolean[]): tf.Tensor {
  const steps = present.length;
  const size = x.size;
  const op = customGradient<[tf.Tensor]>(([input]) => {
    const v = input.dataSync() as Float32Array;
    const out = new Float32Array(steps * size);
    for (let t = 0; t < steps; t++) if (present[t]) out.set(v, t * size);
    return {
      value: tf.tensor(out, [steps, ...input.shape]),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const g = new Float64Array(size);
        for (let t = 0; t < steps; t++) if (present[t]) addRow(g, d, t * size);
        return tf.tensor(Float32Array.from(g), input.shape);
      },
    };
  });
  return op(x);
}

function addRow(g: Float64Array, d: Float32Array, at: number): void {
  for (let i = 0; i < g.length; i++) g[i]! += d[at + i]!;
}
