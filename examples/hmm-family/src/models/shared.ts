/** The pieces hmm.py repeats in every model: its priors, the step mask and the per-step data. */
import * as tf from "@tensorflow/tfjs";
import { dist } from "ppl-core";
import type { ModelArgs } from "./types.js";

/** Stay in the same state with 90 % probability, else jump uniformly (hmm.py's transition prior). */
export function transitionPrior(hidden: number) {
  return dist.Dirichlet(tf.eye(hidden).mul(0.9).add(0.1)).toEvent(1);
}

/** A weak prior on a tone sounding: about 10 % of the notes are active at a time. */
export function tonesPrior(shape: readonly number[]) {
  return dist.Beta(0.1, 0.9).expand([...shape]).toEvent(shape.length);
}

/** `(t < lengths).unsqueeze(-1)`: which sequences are still running at step t, on the sequences dim -2. */
export function stepMask(t: number, lengths: tf.Tensor1D): tf.Tensor {
  return tf.less(t, lengths).expandDims(-1);
}

/** `sequences[batch, t]`: the tones of step t, [num_sequences, data_dim]. */
export function stepTones(sequences: tf.Tensor3D, t: number): tf.Tensor2D {
  const [n, , d] = sequences.shape;
  return sequences.slice([0, t, 0], [n, 1, d]).reshape([n, d]);
}

/**
 * How many steps the markov loop runs: hmm.py's `max_length if args.jit else lengths.max()`, the batch's
 * longest sequence, or with args.jit the padded length of `sequences` (its dim 1).
 */
export function loopLength(sequences: tf.Tensor3D, lengths: tf.Tensor1D, args: ModelArgs): number {
  return args.jit === true ? sequences.shape[1] : Math.max(...lengths.dataSync());
}

/** hmm.py's `probs_y[x.squeeze(-1)]` index: an enumerated value without its trailing size-1 dim. */
export function squeezeLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 0 ? x : x.squeeze([x.rank - 1]);
}

/** `sequences[batch]` and `lengths[batch]` of a subsampled plate (the whole data when not subsampled). */
export function batchOf(sequences: tf.Tensor3D, lengths: tf.Tensor1D, batch: tf.Tensor): { seqs: tf.Tensor3D; lens: tf.Tensor1D } {
  if (batch.size === sequences.shape[0]) return { seqs: sequences, lens: lengths };
  const idx = batch.cast("int32");
  return { seqs: sequences.gather(idx) as tf.Tensor3D, lens: lengths.gather(idx) as tf.Tensor1D };
}
