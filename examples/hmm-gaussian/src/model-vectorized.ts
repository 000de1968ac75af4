/**
 * The same HMM with time vectorised: the chain over t is one DiscreteHMM
 * site per sequence, its states summed out by the fused forward–backward op.
 * Same priors, same loss as the markov loop (checked by a test); far fewer
 * sites and ops per SVI step.
 */
import * as tf from "@tensorflow/tfjs";
import { DiscreteHMM, dist, plate, sample } from "ppl-core";
import { globalPriors } from "./model.js";

const selectors = new Map<string, Float32Array>();

/**
 * One-hot [T*K, K+1] rows picking, for every (step, source state), its row of
 * [probs_init; probs_trans]: step 0 every row is probs_init, later steps row i
 * is probs_trans[i]. One matMul spreads the rows over time; its gradient is
 * one matMul back, where broadcasting adds (or tf.broadcastTo's Tile
 * gradient, one slice per copy) cost several kernels each.
 */
function rowSelector(T: number, K: number): tf.Tensor2D {
  const key = `${T},${K}`;
  let sel = selectors.get(key);
  if (sel === undefined) {
    sel = new Float32Array(T * K * (K + 1));
    for (let t = 0; t < T; t++) for (let i = 0; i < K; i++) sel[(t * K + i) * (K + 1) + (t === 0 ? 0 : 1 + i)] = 1;
    selectors.set(key, sel);
  }
  return tf.tensor2d(sel, [T * K, K + 1]);
}

export function* vectorizedModel(obs: tf.Tensor2D, K: number) {
  const [S, T] = obs.shape;
  const { probsInit, probsTrans, locs, scales } = yield* globalPriors(obs, K);
  // DiscreteHMM (like Pyro's) transitions before the first emission: a first
  // step whose every row is probs_init makes z_0 ~ probs_init.
  // The rows are picked before the log, so a zero probability stays log 0 = -Infinity (0 * -Infinity would be NaN).
  const table = tf.concat([probsInit.reshape([1, K]), probsTrans], 0);
  const logTrans = tf.matMul(rowSelector(T, K), table).log().reshape([T, K, K]);
  yield* plate("seqs", S, { dim: -1 }, function* () {
    yield* sample("obs", new DiscreteHMM(tf.zeros([K]), logTrans, dist.Normal(locs, scales)), { obs });
  });
}
