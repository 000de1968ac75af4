/**
 * A time chain's term (time-chain-exec.ts) as the sum of the factors that
 * make it, each read where it lands (the state at t = 0, the steps 1..T-1,
 * every step, or every transition) through its own strides, so no factor is
 * transposed, padded, reshaped or concatenated in tfjs first. An emission
 * arrives state-first and time-last ([K, T], the enumerated dims left of the
 * time dim), the kernels take it time-first: a wasm transpose, a concat and
 * their reshapes were ~10 kernels and two copies of [T, K] per chain.
 *
 * A ring takes the term in this one form and reads it as it needs it: the
 * log-sum-exp ring as one differentiable op (stackedTensor: its gradient puts
 * dy back the same way), the MAP and sampling rings, whose kernels are JS, as
 * a float64 array read straight from the factors (stackedValues: no tensor,
 * kernel dispatch or float32 rounding of the sum between them).
 */
import * as tf from "@tensorflow/tfjs-core";
import { type KernelValues, customGradient, writeTensor, writeTensors } from "ppl-core/internal";

/** A factor's part of a term: on `steps` steps from `first`, its axes' strides along the term's batch, time and state axes. */
export interface TermPiece {
  readonly data: tf.Tensor;
  /** The first step it lands on and how many (1 at t = 0; T - 1 from t = 1; T from t = 0; every transition). */
  readonly first: number;
  readonly steps: number;
  /** The factor's element stride along each of the term's batch axes, its time axis and its state axes (0 where it does not vary). */
  readonly batch: readonly number[];
  readonly time: number;
  readonly state: readonly number[];
}

/**
 * Σ of `pieces` on [Π batchShape, n, Π stateShape] (row-major), given to the
 * kernels as `shape` (the same elements: [B, n, K] for a unary term, [B, n,
 * K, K] for a pair, previous state first). `batchShape` is ones when no piece
 * varies along the batch: the kernels share a batch of 1.
 */
export interface StackedTerm {
  readonly pieces: readonly TermPiece[];
  readonly batchShape: readonly number[];
  readonly n: number;
  readonly stateShape: readonly number[];
  readonly shape: readonly number[];
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

interface Placed {
  readonly p: TermPiece;
  readonly batch: Int32Array;
  readonly state: Int32Array;
}

function placed(term: StackedTerm): { at: Placed[]; n: number; K: number } {
  const K = term.stateShape.reduce((a, b) => a * b, 1);
  const at = term.pieces.map((p) => ({ p, batch: offsets(term.batchShape, p.batch), state: offsets(term.stateShape, p.state) }));
  return { at, n: term.n, K };
}

/**
 * The factor a term is when it is its one piece laid out row-major as the
 * term is (a transition stored [prev, curr], say): read as it is, the copy
 * and the gradient's gather would be work for nothing.
 */
function asLaidOut(term: StackedTerm): tf.Tensor | undefined {
  const p = term.pieces.length === 1 ? term.pieces[0]! : undefined;
  if (p === undefined || p.first !== 0 || p.steps !== term.n) return undefined;
  const sizes = [...term.batchShape, term.n, ...term.stateShape];
  const strides = [...p.batch, p.time, ...p.state];
  let size = 1;
  for (let i = sizes.length - 1; i >= 0; size *= sizes[i]!, i--) if (sizes[i] !== 1 && strides[i] !== size) return undefined;
  return p.data.size === size ? p.data : undefined;
}

/** The term as one tensor of term.shape, differentiable in every piece's data. */
export function stackedTensor(term: StackedTerm): tf.Tensor {
  const same = asLaidOut(term);
  if (same !== undefined) return same.shape.every((d, i) => d === term.shape[i]) && same.rank === term.shape.length ? same : same.reshape([...term.shape]);
  const { at, n, K } = placed(term);
  // (values read and written on the wasm heap in place: kernel-io.ts)
  const op = customGradient<tf.Tensor[]>((inputs) => ({
    value: writeTensor(term.shape, inputs, (out, xs) => {
      out.fill(0);
      xs.forEach((x, i) => spread(x, at[i]!, n, K, out));
    }),
    gradFunc: (dy: tf.Tensor) => writeTensors(inputs.map((x) => x.shape), [dy], (outs, [g]) => {
      outs.forEach((o, i) => gather(g!, o, at[i]!, n, K));
    }),
  }));
  // (an op needs an input: a term no factor lands on is zeros, with nothing to differentiate)
  return term.pieces.length === 0 ? tf.zeros([...term.shape]) : op(...term.pieces.map((p) => p.data));
}

/**
 * How a ring reads a factor's values: ppl-core's readValues in place where
 * it runs inside an op (the MAP ring, map-op.ts), dataSync elsewhere (a
 * compiled call's recorder sees only that).
 */
export type ValueReader = <T>(x: tf.Tensor, use: (values: KernelValues) => T) => T;

/** A reader by dataSync. */
export const readCopy: ValueReader = (x, use) => use(x.dataSync() as KernelValues);

/** The term's values, row-major over term.shape, summed in float64, for a ring whose kernels are JS; into `out` when given (its size). */
export function stackedValues(term: StackedTerm, read: ValueReader, out?: Float64Array): Float64Array {
  const size = term.shape.reduce((a, b) => a * b, 1);
  const values = out ?? new Float64Array(size);
  const same = asLaidOut(term);
  if (same !== undefined) return read(same, (x) => (values.set(x), values));
  if (out !== undefined) values.fill(0);
  const { at, n, K } = placed(term);
  for (const a of at) read(a.p.data, (x) => spread(x, a, n, K, values));
  return values;
}

/**
 * out[b, first + s, k] += x[batch[b] + s · time + state[k]]. Along time
 * innermost: an emission's steps are adjacent (it arrives time-last), and
 * the loop carries both positions by a constant step (n = 1 440, 3 × 3
 * states: 55 → 42 µs against k innermost).
 */
function spread(x: ArrayLike<number>, at: Placed, n: number, K: number, out: Float32Array | Float64Array): void {
  const { batch, state } = at;
  const { first, steps, time } = at.p;
  for (let b = 0; b < batch.length; b++) {
    const row = (b * n + first) * K;
    for (let k = 0; k < K; k++) {
      for (let s = 0, i = batch[b]! + state[k]!, o = row + k; s < steps; s++, i += time, o += K) out[o]! += x[i]!;
    }
  }
}

/** The piece's gradient into g: dy summed back onto the factor's elements (the transpose of spread), in float64. */
function gather(dy: ArrayLike<number>, g: Float32Array, at: Placed, n: number, K: number): void {
  const acc = new Float64Array(g.length);
  const { batch, state } = at;
  const { first, steps, time } = at.p;
  for (let b = 0; b < batch.length; b++) {
    const row = (b * n + first) * K;
    for (let k = 0; k < K; k++) {
      for (let s = 0, i = batch[b]! + state[k]!, o = row + k; s < steps; s++, i += time, o += K) acc[i]! += dy[o]!;
    }
  }
  g.set(acc);
}
