/**
 * Viterbi segmentation: inferDiscrete at temperature 0 on the model the
 * example trains (the tutorial's markov loop), its globals fixed at the
 * learned values. The plan fuses the loop's chain, so every path is one
 * Viterbi pass of ppl-core's chain kernel; sequences of one length share one
 * run of the model (its plate over sequences), which costs more than the passes.
 */
import * as tf from "@tensorflow/tfjs";
import { mapByLength } from "example-kit/sequences";
import { condition, trace } from "ppl-core";
import { inferDiscrete } from "ppl-enum";
import { model } from "./model.js";
import type { PlainParams } from "./truth.js";

/** The trained model with its global sites observed at `globals`. */
function* withGlobals(obs: tf.Tensor2D, K: number, globals: Record<string, tf.Tensor>) {
  return yield* condition(model, globals)(obs, K);
}

// one decoder for every call: its contraction plan is cached per sequence length
const viterbi = inferDiscrete(withGlobals, { firstAvailableDim: -2, temperature: 0 });

/** The Viterbi path of one sequence. */
export function decode(y: readonly number[], p: PlainParams): number[] {
  return decodeAll([y], p)[0]!;
}

/** The Viterbi path of each sequence. */
export function decodeAll(ys: readonly (readonly number[])[], p: PlainParams): number[][] {
  return mapByLength(ys, (group, T) => decodeRectangular(group, T, p));
}

/** S sequences of length T in one run: z_t has the sequence plate's shape, [S]. */
function decodeRectangular(ys: readonly (readonly number[])[], T: number, p: PlainParams): number[][] {
  return tf.tidy(() => {
    const globals = {
      probs_init: tf.tensor1d(p.probsInit),
      probs_trans: tf.tensor2d(p.probsTrans),
      locs: tf.tensor1d(p.locs),
      scales: tf.tensor1d(p.scales),
    };
    const tr = trace(viterbi).getTrace(tf.tensor2d(ys.map((y) => [...y])), p.probsInit.length, globals);
    const S = ys.length;
    // [T, S] in one read (each z_t has the plate's shape, [S])
    const zs = tf.stack(Array.from({ length: T }, (_, t) => tr.sampleSite(`z_${t}`).value)).dataSync();
    return ys.map((_, s) => Array.from({ length: T }, (_, t) => zs[t * S + s]!));
  });
}
