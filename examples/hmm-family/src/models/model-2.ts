/**
 * hmm.py's model_2, the autoregressive HMM ("arHMM"): each tone also depends
 * on the same tone one step earlier.
 *
 *     x[t-1] --> x[t] --> x[t+1]
 *        |        |         |
 *        V        V         V
 *     y[t-1] --> y[t] --> y[t+1]
 *
 * probs_y[x, y_prev, tone] is indexed with the enumerated x, the previous
 * observed tones and the tones plate's own indices.
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, stepMask, stepTones, tonesPrior, transitionPrior } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model2: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const { probsX, probsY } = yield* mask(includePrior, function* () {
    const probsX = yield* sample("probs_x", transitionPrior(args.hiddenDim));
    const probsY = yield* sample("probs_y", tonesPrior([args.hiddenDim, 2, dataDim]));
    return { probsX, probsY };
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    let x: tf.Tensor | number = 0;
    let y: tf.Tensor | number = 0;
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(probsX, x)), enumerate);
        const [xt, yPrev] = [x, y];
        // the tones plate's indices are the last index of probs_y, so it broadcasts against x and y
        y = yield* plate("tones", dataDim, { dim: -1 }, function* (tones) {
          const yt = yield* sample(`y_${t}`, dist.Bernoulli(vindex(probsY, xt, yPrev, tones)), { obs: stepTones(seqs, t) });
          return yt.cast("int32");
        });
      });
    });
  });
};
