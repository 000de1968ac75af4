/**
 * hmm.py's model_4, the factorial HMM with a dependence of x on w ("PFHMM",
 * a dynamic Bayesian network):
 *
 *     w[t-1] ----> w[t] ---> w[t+1]
 *        |  \       |  \       |   \
 *        | x[t-1] ----> x[t] ----> x[t+1]
 *        |   /      |   /      |   /
 *        V  /       V  /       V  /
 *     y[t-1]       y[t]      y[t+1]
 *
 * probs_x gains a leading w index (its prior expanded by [√hiddenDim]).
 */
import * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, stepMask, stepTones, tonesPrior } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model4: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const hidden = Math.floor(Math.sqrt(args.hiddenDim)); // split between w and x
  const sticky = () => dist.Dirichlet(tf.eye(hidden).mul(0.9).add(0.1));
  const { probsW, probsX, probsY } = yield* mask(includePrior, function* () {
    const probsW = yield* sample("probs_w", sticky().toEvent(1));
    const probsX = yield* sample("probs_x", sticky().expandBy([hidden]).toEvent(2));
    const probsY = yield* sample("probs_y", tonesPrior([hidden, hidden, dataDim]));
    return { probsW, probsX, probsY };
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    // tensors from the start (hmm.py: "ensure that w and x are always tensors"), so x's distribution has its full shape
    let w: tf.Tensor = tf.scalar(0, "int32");
    let x: tf.Tensor = tf.scalar(0, "int32");
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        w = yield* sample(`w_${t}`, dist.Categorical(vindex(probsW, w)), enumerate);
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(probsX, w, x, ":")), enumerate);
        const [wt, xt] = [w, x];
        yield* plate("tones", dataDim, { dim: -1 }, function* (tones) {
          yield* sample(`y_${t}`, dist.Bernoulli(vindex(probsY, wt, xt, tones)), { obs: stepTones(seqs, t) });
        });
      });
    });
  });
};
