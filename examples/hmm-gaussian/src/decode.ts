/** Viterbi segmentation: inferDiscrete at temperature 0 on the one-sequence model. */
import * as tf from "@tensorflow/tfjs";
import { trace } from "ppl-core";
import { configEnumerate, inferDiscrete } from "ppl-enum";
import { decodeModel } from "./model.js";
import type { PlainParams } from "./truth.js";

export function decode(y: readonly number[], p: PlainParams): number[] {
  return tf.tidy(() => {
    const params = {
      probsInit: tf.tensor1d(p.probsInit),
      probsTrans: tf.tensor2d(p.probsTrans),
      locs: tf.tensor1d(p.locs),
      scales: tf.tensor1d(p.scales),
    };
    const viterbi = inferDiscrete(configEnumerate(decodeModel, "parallel"), { firstAvailableDim: -1, temperature: 0 });
    const tr = trace(viterbi).getTrace(tf.tensor1d([...y]), params);
    return y.map((_, t) => tr.sampleSite(`z_${t}`).value.dataSync()[0]!);
  });
}

export function accuracy(decoded: readonly number[], truth: readonly number[]): number {
  let hits = 0;
  decoded.forEach((z, t) => {
    if (z === truth[t]) hits++;
  });
  return hits / truth.length;
}
