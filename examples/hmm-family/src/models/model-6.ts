/**
 * hmm.py's model_6, the second-order HMM ("2HMM"): x[t] depends on x[t-1]
 * and x[t-2], so the markov loop keeps a history of 2.
 *
 *                     _______>______
 *         _____>_____/______        \
 *        /          /       \        \
 *     x[t-1] --> x[t] --> x[t+1] --> x[t+2]
 *        |        |          |          |
 *        V        V          V          V
 *     y[t-1]     y[t]     y[t+1]     y[t+2]
 *
 * Transitions and emissions are params (no prior): either the full
 * [H, H, H] table, or Raftery's mixture λ·P1[x[t-1]] + (1-λ)·P2[x[t-2]].
 */
import * as tf from "@tensorflow/tfjs";
import { constraints, dist, markov, mask, nextSeed, param, plate, range, sample, vindex } from "ppl-core";
import { batchOf, loopLength, squeezeLast, stepMask, stepTones } from "./shared.js";
import type { HmmModel } from "./types.js";

const enumerate = { infer: { enumerate: "parallel" as const } };

/**
 * hmm.py's torch.rand rows: a simplex param takes them unnormalised (the store keeps their log, as Pyro's softmax
 * transform). Drawn from setRngSeed's stream (nextSeed), as hmm.py's from the seeded torch: tfjs's own unseeded
 * draw made two runs with one seed start from different params.
 */
function uniform(name: string, shape: number[], low: number, high: number): () => tf.Tensor {
  return () => tf.randomUniform(shape, low, high, "float32", nextSeed(name));
}

export const model6: HmmModel = function* (sequences, lengths, args) {
  const [numSequences, , dataDim] = sequences.shape;
  const hidden = args.hiddenDim;
  let probsX: tf.Tensor;
  if (!args.raftery) {
    // the full tensor of transition probabilities: hidden³ entries
    probsX = yield* param("probs_x", uniform("probs_x", [hidden, hidden, hidden], 0.05, 1), { constraint: constraints.simplex });
  } else {
    // Raftery (1985), a parsimonious high-order Markov chain
    const probsX1 = yield* param("probs_x1", uniform("probs_x1", [hidden, hidden], 0.05, 1), { constraint: constraints.simplex });
    const probsX2 = yield* param("probs_x2", uniform("probs_x2", [hidden, hidden], 0.05, 1), { constraint: constraints.simplex });
    const mixLambda = yield* param("mix_lambda", tf.scalar(0.5), { constraint: constraints.unitInterval });
    // [H, H] and [H, 1, H] broadcast to [H (x[t-2]), H (x[t-1]), H (x[t])]
    probsX = mixLambda.mul(probsX1).add(tf.scalar(1).sub(mixLambda).mul(probsX2.expandDims(-2)));
  }
  const probsY = yield* param("probs_y", uniform("probs_y", [hidden, dataDim], 0.05, 0.95), {
    constraint: constraints.unitInterval,
  });
  yield* plate("sequences", numSequences, { dim: -2, subsampleSize: args.batchSize }, function* (batch) {
    const { seqs, lens } = batchOf(sequences, lengths, batch);
    let xCurr: tf.Tensor = tf.scalar(0, "int32");
    let xPrev: tf.Tensor = tf.scalar(0, "int32");
    yield* markov(range(loopLength(seqs, lens, args)), function* (t) {
      yield* mask(stepMask(t, lens), function* () {
        const probsXt = vindex(probsX, xPrev, xCurr, ":");
        [xPrev, xCurr] = [xCurr, yield* sample(`x_${t}`, dist.Categorical(probsXt), enumerate)];
        const x = xCurr;
        yield* plate("tones", dataDim, { dim: -1 }, function* () {
          yield* sample(`y_${t}`, dist.Bernoulli(vindex(probsY, squeezeLast(x))), { obs: stepTones(seqs, t) });
        });
      });
    }, { history: 2 });
  });
};
