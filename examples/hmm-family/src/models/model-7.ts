/**
 * hmm.py's model_7: model_5 with time vectorised into one DiscreteHMM site
 * per sequence (sequences on dim -1). The start state is pinned to 0 by
 * init_logits = [0, -inf, ...]: DiscreteHMM transitions before its first
 * emission, so x[0] ~ probs_x[0] as in model_5.
 *
 * Two corrections to hmm.py, so that this is model_5 (as hmm.py says it is):
 * hmm.py passes x = arange(H), whose one-hot by scatter along its last (only)
 * dim is all ones, so its emission ignores the state; here x is arange(H)
 * as a column, whose one-hot is the identity. And hmm.py feeds the network
 * the tones of step t to predict step t; here it sees step t-1, as in model_5.
 */
import * as tf from "@tensorflow/tfjs";
import { dist, mask, plate, sample } from "ppl-core";
import { batchOf, loopLength, transitionPrior } from "./shared.js";
import { tonesGenerator } from "./tones-generator.js";
import type { HmmModel } from "./types.js";

export const model7: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const hidden = args.hiddenDim;
  const net = yield* tonesGenerator(args, dataDim);
  const probsX = yield* mask(includePrior, function* () {
    return yield* sample("probs_x", transitionPrior(hidden));
  });
  yield* plate("sequences", numSequences, { dim: -1, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    const T = loopLength(seqs, lens, args);
    const y = seqs.slice([0, 0, 0], [-1, T, dataDim]);
    const yPrev = tf.concat([tf.zeros([y.shape[0], 1, dataDim]), y.slice([0, 0, 0], [-1, T - 1, dataDim])], 1);
    const x = tf.range(0, hidden, 1, "int32").reshape([hidden, 1]);
    const t = tf.range(0, T, 1, "int32");
    const initLogits = tf.tensor1d(Array.from({ length: hidden }, (_, k) => (k === 0 ? 0 : -Infinity)));
    const transLogits = probsX.log();
    // logits [N, T, H, D]: state on dim -2, the DiscreteHMM's state dim; the tones are the event
    const obsDist = dist
      .Bernoulli({ logits: net(x, yPrev.expandDims(-2)) })
      .toEvent(1)
      .mask(tf.less(t, lens.expandDims(-1)).expandDims(-1));
    const hmmDist = dist.DiscreteHMM(initLogits, transLogits, obsDist);
    yield* sample("y", hmmDist, { obs: y });
  });
};
