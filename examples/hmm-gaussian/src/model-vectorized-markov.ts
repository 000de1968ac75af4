/**
 * The tutorial's model with time vectorised the way Pyro's
 * `vectorized_markov` writes it: the same body as the markov loop, run once
 * for t = 0 and once for all of t = 1..T-1. Inside the second run `z` from
 * the first stands for the state at t-1; TraceEnumELBO sums the chain out
 * with one fused op over the time axis. Same loss as the loop (tested).
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, plate, sample, vectorizedMarkov, vindex } from "ppl-core";
import { globalPriors } from "./model.js";

export function* vectorizedMarkovModel(obs: tf.Tensor2D, K: number) {
  const [S, T] = obs.shape;
  const { probsInit, probsTrans, locs, scales } = yield* globalPriors(obs, K);
  yield* plate("seqs", S, { dim: -1 }, function* (seqs) {
    let z: tf.Tensor | undefined;
    yield* vectorizedMarkov("time", T, { dim: -2 }, function* (t, i) {
      const probs = z === undefined ? probsInit : vindex(probsTrans, "...", z, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: vindex(obs, seqs, i) });
    });
  });
}
