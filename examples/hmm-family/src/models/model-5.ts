/**
 * hmm.py's model_5, the neural HMM ("nnHMM"): the tones of step t come from
 * a small network of x[t] and all tones of step t-1.
 *
 *     x[t-1] --> x[t] --> x[t+1]   } standard HMM +
 *        |        |         |
 *        V        V         V
 *     y[t-1] --> y[t] --> y[t+1]   } neural likelihood
 *
 * Each tone depends on every tone of the previous step, so every step has
 * its own tones plate (`tones_${t}`).
 */
import * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, stepMask, stepTones, transitionPrior } from "./shared.js";
import { tonesGenerator } from "./tones-generator.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model5: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const net = yield* tonesGenerator(args, dataDim);
  const probsX = yield* mask(includePrior, function* () {
    return yield* sample("probs_x", transitionPrior(args.hiddenDim));
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    let x: tf.Tensor | number = 0;
    let y: tf.Tensor = tf.zeros([dataDim]);
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(probsX, x)), enumerate);
        const logits = net(x, y);
        y = yield* plate(`tones_${t}`, dataDim, { dim: -1 }, function* () {
          return yield* sample(`y_${t}`, dist.Bernoulli({ logits }), { obs: stepTones(seqs, t) });
        });
      });
    });
  });
};
