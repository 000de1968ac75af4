/**
 * hmm.py's model_3, the factorial HMM ("FHMM"): two independent hidden
 * chains w and x, each with √hiddenDim states, both emitting every tone.
 *
 *    w[t-1] ----> w[t] ---> w[t+1]
 *        \ x[t-1] --\-> x[t] --\-> x[t+1]
 *         \  /       \  /       \  /
 *          \/         \/         \/
 *        y[t-1]      y[t]      y[t+1]
 *
 * The emission couples w[t] and x[t], so the enumeration holds both (and
 * their previous values): rank-6 tensors, two plates plus four enum dims.
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, stepMask, stepTones, tonesPrior, transitionPrior } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model3: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const hidden = Math.floor(Math.sqrt(args.hiddenDim)); // split between w and x
  const { probsW, probsX, probsY } = yield* mask(includePrior, function* () {
    const probsW = yield* sample("probs_w", transitionPrior(hidden));
    const probsX = yield* sample("probs_x", transitionPrior(hidden));
    const probsY = yield* sample("probs_y", tonesPrior([hidden, hidden, dataDim]));
    return { probsW, probsX, probsY };
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    let w: tf.Tensor | number = 0;
    let x: tf.Tensor | number = 0;
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        w = yield* sample(`w_${t}`, dist.Categorical(vindex(probsW, w)), enumerate);
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(probsX, x)), enumerate);
        const [wt, xt] = [w, x];
        yield* plate("tones", dataDim, { dim: -1 }, function* (tones) {
          yield* sample(`y_${t}`, dist.Bernoulli(vindex(probsY, wt, xt, tones)), { obs: stepTones(seqs, t) });
        });
      });
    });
  });
};
