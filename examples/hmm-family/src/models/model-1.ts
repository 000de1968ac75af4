/**
 * hmm.py's model_1: model_0 vectorised over sequences. The sequences plate
 * takes dim -2 (tones keep dim -1); every step runs for all sequences and
 * `mask((t < lengths).unsqueeze(-1))` switches off the steps past a
 * sequence's end, around both the hidden and the observed site.
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, squeezeLast, stepMask, stepTones, tonesPrior, transitionPrior } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model1: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const { probsX, probsY } = yield* mask(includePrior, function* () {
    const probsX = yield* sample("probs_x", transitionPrior(args.hiddenDim));
    const probsY = yield* sample("probs_y", tonesPrior([args.hiddenDim, dataDim]));
    return { probsX, probsY };
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    let x: tf.Tensor | number = 0;
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(probsX, x)), enumerate);
        const xt = x;
        yield* plate("tones", dataDim, { dim: -1 }, function* () {
          yield* sample(`y_${t}`, dist.Bernoulli(vindex(probsY, squeezeLast(xt))), { obs: stepTones(seqs, t) });
        });
      });
    });
  });
};
