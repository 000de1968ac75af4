/**
 * Viterbi decoding: the MAP decode (inferDiscrete at temperature 0, compiled:
 * JitInferDiscrete, docs/compiled.md) of the model the example trains (the
 * markov loop), its globals fixed at given values. Sequences of one length
 * share one call (its plate over sequences); after the first call for a
 * shape, a call replays the recorded kernels with the new symbols and globals.
 */
import * as tf from "@tensorflow/tfjs";
import { mapByLength } from "example-kit/sequences";
import { condition } from "ppl-core";
import { JitInferDiscrete } from "ppl-enum";
import { model } from "./model.js";
import type { PlainParams } from "./truth.js";

/** The trained model with its global sites observed at `globals`. */
function* withGlobals(obs: tf.Tensor2D, K: number, V: number, globals: Record<string, tf.Tensor>) {
  return yield* condition(model, globals)(obs, K, V);
}

// one decoder for every call: it records once per shape of the symbols
const viterbi = new JitInferDiscrete(withGlobals, { temperature: 0, firstAvailableDim: -2 });

/** The Viterbi path (most probable state sequence) of each symbol sequence under `p`. */
export function decodeAll(ys: readonly (readonly number[])[], p: PlainParams): number[][] {
  return mapByLength(ys, (group, T) => decodeRectangular(group, T, p));
}

/** The Viterbi path of one sequence. */
export function decode(y: readonly number[], p: PlainParams): number[] {
  return decodeAll([y], p)[0]!;
}

/** S sequences of length T in one run: z_t has the sequence plate's shape, [S]. */
function decodeRectangular(ys: readonly (readonly number[])[], T: number, p: PlainParams): number[][] {
  return tf.tidy(() => {
    const globals = {
      probs_init: tf.tensor1d(p.probsInit),
      probs_trans: tf.tensor2d(p.probsTrans),
      probs_emit: tf.tensor2d(p.probsEmit),
    };
    const obs = tf.tensor2d(ys.map((y) => [...y]), [ys.length, T], "int32");
    const values = viterbi.decode(obs, p.probsInit.length, p.probsEmit[0]!.length, globals);
    const S = ys.length;
    // [T, S] in one read
    const zs = tf.stack(Array.from({ length: T }, (_, t) => values.get(`z_${t}`)!.reshape([S]))).dataSync();
    return ys.map((_, s) => Array.from({ length: T }, (_, t) => zs[t * S + s]!));
  });
}
