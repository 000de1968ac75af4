/**
 * Viterbi segmentation: inferDiscrete at temperature 0 on the one-sequence
 * model, written with vectorizedMarkov so the chain is decoded in one pass
 * (a markov loop would make T sites and T eliminations: ~40× slower, same path).
 */
import * as tf from "@tensorflow/tfjs";
import { trace } from "ppl-core";
import { inferDiscrete } from "ppl-enum";
import { decodeModel } from "./model-vectorized-markov.js";
import type { PlainParams } from "./truth.js";

export function decode(y: readonly number[], p: PlainParams): number[] {
  return tf.tidy(() => {
    const params = {
      probsInit: tf.tensor1d(p.probsInit),
      probsTrans: tf.tensor2d(p.probsTrans),
      locs: tf.tensor1d(p.locs),
      scales: tf.tensor1d(p.scales),
    };
    const viterbi = inferDiscrete(decodeModel, { firstAvailableDim: -2, temperature: 0 });
    const tr = trace(viterbi).getTrace(tf.tensor1d([...y]), params);
    const first = tr.sampleSite("z_0").value.dataSync()[0]!;
    return y.length === 1 ? [first] : [first, ...tr.sampleSite(`z_1:${y.length}`).value.dataSync()];
  });
}

export function accuracy(decoded: readonly number[], truth: readonly number[]): number {
  let hits = 0;
  decoded.forEach((z, t) => {
    if (z === truth[t]) hits++;
  });
  return hits / truth.length;
}
