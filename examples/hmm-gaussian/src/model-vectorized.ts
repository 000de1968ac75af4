/**
 * The same HMM with time vectorised: the chain over t is one DiscreteHMM
 * site per sequence, its states summed out by the fused forward–backward op.
 * Same priors, same loss as the markov loop (checked by a test); far fewer
 * sites and ops per SVI step.
 */
import * as tf from "@tensorflow/tfjs";
import { DiscreteHMM, dist, plate, sample } from "ppl-core";
import { unbiasedStd } from "./model.js";

export function* vectorizedModel(obs: tf.Tensor2D, K: number) {
  const [S, T] = obs.shape;
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const locs = yield* sample("locs", dist.Normal(obs.mean(), unbiasedStd(obs).mul(3)).expand([K]).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(0, 1).expand([K]).toEvent(1));
  // DiscreteHMM (like Pyro's) transitions before the first emission: a first
  // step whose every row is probs_init makes z_0 ~ probs_init.
  // Broadcast by adding zeros: tf.broadcastTo's gradient is a Tile gradient, one slice per copy.
  const first = probsInit.log().reshape([1, 1, K]).add(tf.zeros([1, K, 1]));
  const rest = probsTrans.log().reshape([1, K, K]).add(tf.zeros([T - 1, 1, 1]));
  const logTrans = tf.concat([first, rest], 0);
  yield* plate("seqs", S, { dim: -1 }, function* () {
    yield* sample("obs", new DiscreteHMM(tf.zeros([K]), logTrans, dist.Normal(locs, scales)), { obs });
  });
}
