/**
 * The model of the Pyro tutorial "Learning HMM parameters from data:
 * continuous (Gaussian) emissions", line for line: priors on the four
 * globals, a plate over sequences, a markov chain over time, enumerated
 * hidden states and Vindex lookups.
 */
import * as tf from "@tensorflow/tfjs";
import { type Msg, dist, markov, plate, range, sample, vindex } from "ppl-core";
import type { PlainParams } from "./truth.js";

/** The four global sites AutoDelta learns (everything else is enumerated or observed). */
export const GLOBAL_SITES = ["probs_init", "probs_trans", "locs", "scales"] as const;

/** The global sites' values (e.g. AutoDelta's median) as plain numbers; disposes the tensors it reads. */
export function takeParams(m: Record<string, tf.Tensor>): PlainParams {
  const params: PlainParams = {
    probsInit: Array.from(m.probs_init!.dataSync()),
    probsTrans: m.probs_trans!.arraySync() as number[][],
    locs: Array.from(m.locs!.dataSync()),
    scales: Array.from(m.scales!.dataSync()),
  };
  tf.dispose(Object.values(m));
  return params;
}

export function* model(obs: tf.Tensor2D, K: number) {
  return yield* sequences(obs, yield* globalPriors(obs, K));
}

/** The model given its globals: the hidden chains and their emissions (what decoding at fixed globals runs). */
export function* sequences(obs: tf.Tensor2D, { probsInit, probsTrans, locs, scales }: Globals) {
  const [S, T] = obs.shape;
  // obs[:, t] for every t: one unstack, where a slice and a reshape per step were two kernels per step
  const columns = tf.unstack(obs, 1);
  yield* plate("seqs", S, { dim: -1 }, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(T), function* (t) {
      const probs = t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: columns[t]! });
    });
  });
}

/** The four globals' values. */
export interface Globals {
  readonly probsInit: tf.Tensor;
  readonly probsTrans: tf.Tensor;
  readonly locs: tf.Tensor;
  readonly scales: tf.Tensor;
}

/** The four global sites and their priors, shared by every form of the model. */
export function* globalPriors(obs: tf.Tensor2D, K: number): Generator<Msg, Globals, unknown> {
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const { loc, scale } = locsPrior(obs);
  const locs = yield* sample("locs", dist.Normal(loc, scale).expand([K]).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(0, 1).expand([K]).toEvent(1));
  return { probsInit, probsTrans, locs, scales };
}

const locsPriors = new WeakMap<tf.Tensor, { loc: number; scale: number }>();

/**
 * The locs prior's centre and spread, the data's mean and 3 × std: computed
 * once per data tensor (they are constants of the model, and as tensor ops
 * every SVI step would pay ~20 kernels for them). One observation has no
 * sample spread (torch's std is NaN there too): the scale is then 1, so the
 * model still runs on a one-step sequence (decoding one does).
 */
export function locsPrior(obs: tf.Tensor): { loc: number; scale: number } {
  let p = locsPriors.get(obs);
  if (p === undefined) {
    p = tf.tidy(() => ({ loc: obs.mean().dataSync()[0]!, scale: obs.size > 1 ? unbiasedStd(obs).mul(3).dataSync()[0]! : 1 }));
    locsPriors.set(obs, p);
  }
  return p;
}

/** torch's default std (Bessel-corrected), which the tutorial's prior uses. */
export function unbiasedStd(x: tf.Tensor): tf.Tensor {
  const n = x.size;
  return tf.moments(x).variance.mul(n / (n - 1)).sqrt();
}
