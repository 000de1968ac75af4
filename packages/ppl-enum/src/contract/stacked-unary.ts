/**
 * A time chain's unary term [B, T, K] (time-chain-exec.ts) as one op: each
 * factor is read where it lands (the state at t = 0, the steps 1..T-1, or
 * every step), through its own strides, so no factor is transposed, padded or
 * concatenated in tfjs first. An emission arrives state-first and time-last
 * ([K, T], the enumerated dims left of the time dim), the kernels take it
 * time-first: a wasm transpose, a concat and their reshapes were ~10 kernels
 * and two copies of [T, K] per chain. The gradient puts dy back the same way.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient, writeTensor, writeTensors } from "ppl-core/internal";

/** A factor's part of the unary term: on `steps` steps from `first`, its axes' strides along the term's batch, time and state axes. */
export interface UnaryPiece {
  readonly data: tf.Tensor;
  /** The first step it lands on and how many (1 at t = 0; T - 1 from t = 1; T from t = 0). */
  readonly first: number;
  readonly steps: number;
  /** The factor's element stride along each of the term's batch axes, its time axis and its state axes (0 where it does not vary). */
  readonly batch: readonly number[];
  readonly time: number;
  readonly state: readonly number[];
}

/** Flat offsets of every position of `shape` (row-major) under `strides`. */
function offsets(shape: readonly number[], strides: readonly number[]): Int32Array {
  let idx = new Int32Array(1);
  shape.forEach((size, d) => {
    const next = new Int32Array(idx.length * size);
    for (let p = 0; p < idx.length; p++) for (let c = 0; c < size; c++) next[p * size + c] = idx[p]! + c * strides[d]!;
    idx = next;
  });
  return idx;
}

/**
 * Σ of the pieces on [Π batchShape, T, Π stateShape]. `batchShape` is the
 * term's batch (ones when no piece varies along it).
 */
export function stackedUnary(pieces: readonly UnaryPiece[], batchShape: readonly number[], T: number, stateShape: readonly number[]): tf.Tensor {
  const B = batchShape.reduce((a, b) => a * b, 1);
  const K = stateShape.reduce((a, b) => a * b, 1);
  const at = pieces.map((p) => ({ batch: offsets(batchShape, p.batch), state: offsets(stateShape, p.state) }));
  // (values read and written on the wasm heap in place: kernel-io.ts)
  const op = customGradient<tf.Tensor[]>((inputs) => ({
    value: writeTensor([B, T, K], inputs, (out, xs) => {
      out.fill(0);
      xs.forEach((x, i) => spread(x, pieces[i]!, at[i]!, T, K, out));
    }),
    gradFunc: (dy: tf.Tensor) => writeTensors(inputs.map((x) => x.shape), [dy], (outs, [g]) => {
      outs.forEach((o, i) => gather(g!, o, pieces[i]!, at[i]!, T, K));
    }),
  }));
  return op(...pieces.map((p) => p.data));
}

/** out[b, first + s, k] += x[batch[b] + s · time + state[k]]. */
function spread(x: ArrayLike<number>, p: UnaryPiece, at: { batch: Int32Array; state: Int32Array }, T: number, K: number, out: Float32Array): void {
  const { batch, state } = at;
  for (let b = 0; b < batch.length; b++) {
    for (let s = 0; s < p.steps; s++) {
      const src = batch[b]! + s * p.time;
      const dst = (b * T + p.first + s) * K;
      for (let k = 0; k < K; k++) out[dst + k]! += x[src + state[k]!]!;
    }
  }
}

/** The piece's gradient into g: dy summed back onto the factor's elements (the transpose of spread), in float64. */
function gather(dy: ArrayLike<number>, g: Float32Array, p: UnaryPiece, at: { batch: Int32Array; state: Int32Array }, T: number, K: number): void {
  const acc = new Float64Array(g.length);
  const { batch, state } = at;
  for (let b = 0; b < batch.length; b++) {
    for (let s = 0; s < p.steps; s++) {
      const src = batch[b]! + s * p.time;
      const row = (b * T + p.first + s) * K;
      for (let k = 0; k < K; k++) acc[src + state[k]!]! += dy[row + k]!;
    }
  }
  g.set(acc);
}
