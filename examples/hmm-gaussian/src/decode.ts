/**
 * Viterbi segmentation: inferDiscrete at temperature 0 on the model the
 * example trains (the tutorial's markov loop), its globals fixed at the
 * learned values, for one sequence. The plan fuses the loop's chain, so the
 * whole path is one Viterbi pass of ppl-core's chain kernel.
 */
import * as tf from "@tensorflow/tfjs";
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

export function decode(y: readonly number[], p: PlainParams): number[] {
  return tf.tidy(() => {
    const globals = {
      probs_init: tf.tensor1d(p.probsInit),
      probs_trans: tf.tensor2d(p.probsTrans),
      locs: tf.tensor1d(p.locs),
      scales: tf.tensor1d(p.scales),
    };
    const tr = trace(viterbi).getTrace(tf.tensor2d([[...y]]), p.probsInit.length, globals);
    // z_t has the sequence plate's shape, [1]
    return Array.from(tf.concat(y.map((_, t) => tr.sampleSite(`z_${t}`).value.reshape([1]))).dataSync());
  });
}

export function accuracy(decoded: readonly number[], truth: readonly number[]): number {
  let hits = 0;
  decoded.forEach((z, t) => {
    if (z === truth[t]) hits++;
  });
  return hits / truth.length;
}
