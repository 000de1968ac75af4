/**
 * A few tensors spread over the steps of a chain: step t holds pieces[at[t]]
 * (0, the log of 1, where at[t] is -1), [steps, ...piece shape], written in
 * JS. A markov chain's transition is one tensor per parity of the recycled
 * enumeration dim, so each sits at every other step. The tensor form (a
 * stack of T copies, or a broadcast and a select, since 0 · -Infinity is
 * NaN) cost ~3 ms a step on wasm for hmm.py's [63, 16, 16] (`where` tiles its
 * bool mask up to the full shape, and a stack's gradient adds T rows into
 * each piece one op at a time); the JS copy and the gradient's sum over each
 * piece's steps touch each entry once. A compiled loss may run the pieces'
 * ops as one op that writes the spread itself (ppl-core jit/stack-ops.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "ppl-core/internal";

export function spreadPieces(pieces: readonly tf.Tensor[], at: readonly number[]): tf.Tensor {
  const steps = at.length;
  const shape = pieces[0]!.shape;
  const size = pieces[0]!.size;
  const op = customGradient<tf.Tensor[]>((inputs) => {
    const values = inputs.map((x) => x.dataSync() as Float32Array);
    const out = new Float32Array(steps * size);
    for (let t = 0; t < steps; t++) if (at[t]! >= 0) out.set(values[at[t]!]!, t * size);
    return {
      value: tf.tensor(out, [steps, ...shape]),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const sums = inputs.map(() => new Float64Array(size));
        for (let t = 0; t < steps; t++) if (at[t]! >= 0) addRow(sums[at[t]!]!, d, t * size);
        return sums.map((g) => tf.tensor(Float32Array.from(g), shape));
      },
    };
  }, { spread: { at } });
  return op(...pieces);
}

/** One tensor at the steps where `present` holds, 0 elsewhere. */
export function spreadOverSteps(x: tf.Tensor, present: readonly boolean[]): tf.Tensor {
  return spreadPieces([x], present.map((p) => (p ? 0 : -1)));
}

function addRow(g: Float64Array, d: Float32Array, at: number): void {
  for (let i = 0; i < g.length; i++) g[i]! += d[at + i]!;
}
