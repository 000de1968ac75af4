/**
 * hmm.py's model_0, the plain HMM, one sequence at a time:
 *
 *     x[t-1] --> x[t] --> x[t+1]
 *        |        |         |
 *        V        V         V
 *     y[t-1]     y[t]     y[t+1]
 *
 * probs_x and probs_y have priors (MAP-learned by the guide), x is enumerated,
 * y is observed inside the tones plate (dim -1). Each sequence runs only its
 * own length, so nothing is masked here; the sequences plate is sequential
 * (it takes no dim), so maxPlateNesting is 1.
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, markov, mask, plate, range, sample, vindex } from "ppl-core";
import { squeezeLast, tonesPrior, transitionPrior } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

export const model0: HmmModel = function* (sequences, lengths, args, includePrior = true) {
  const [numSequences, , dataDim] = sequences.shape;
  const { probsX, probsY } = yield* mask(includePrior, function* () {
    const probsX = yield* sample("probs_x", transitionPrior(args.hiddenDim));
    const probsY = yield* sample("probs_y", tonesPrior([args.hiddenDim, dataDim]));
    return { probsX, probsY };
  });
  const lens = lengths.dataSync();
  // hmm.py's `for i in pyro.plate("sequences", len(sequences), batch_size)`: a sequential plate, one run of the body per sequence
  yield* plate("sequences", numSequences, { sequential: true, subsampleSize: args.batchSize }, function* (i) {
    const length = lens[i]!;
    const sequence = sequences.slice([i, 0, 0], [1, length, dataDim]).reshape([length, dataDim]);
    let x: tf.Tensor | number = 0;
    yield* markov(range(length), function* (t) {
      x = yield* sample(`x_${i}_${t}`, dist.Categorical(vindex(probsX, x)), enumerate);
      const xt = x;
      yield* plate("tones", dataDim, { dim: -1 }, function* () {
        yield* sample(`y_${i}_${t}`, dist.Bernoulli(vindex(probsY, squeezeLast(xt))), {
          obs: sequence.slice([t, 0], [1, dataDim]).reshape([dataDim]),
        });
      });
    });
  });
};
