/**
 * The model ppl-hmm fits: the tutorial's HMM (same four global sites and
 * priors, model.ts `globalPriors`) on standardised data, with two changes a
 * user's signal needs:
 *
 * * sequences of different lengths: one group of equal-length sequences per
 *   plate (a file's columns rarely all have the same length);
 * * a floor under every state's sd: each emission sd is √(scale² + floor²).
 *   Without it a state that sits on repeated values (daily rainfall: most
 *   days exactly 0) has no maximum a posteriori fit: its likelihood grows
 *   without bound as its sd shrinks. hmmlearn adds `min_covar` for the same
 *   reason.
 *
 * Two forms sum the hidden states out. "discrete-hmm" (the default): one
 * DiscreteHMM site per group, ppl-core's fused forward pass. "markov": the
 * tutorial's markov loop under TraceEnumELBO (both compiled: fit/svi.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { DiscreteHMM, dist, factor, markov, plate, range, sample, vindex } from "ppl-core";
import type { PlainParams } from "../params.js";
import { locsPrior } from "./prep.js";

/** The data a fit sees: standardised values, grouped by sequence length. */
export interface CliData {
  /** Groups of equal-length sequences, each [S_g, T_g], T_g ≥ 2. */
  groups: tf.Tensor2D[];
  /** The locs prior: the pooled values' mean and 3 × their (Bessel-corrected) sd, as the tutorial's prior. */
  locsPrior: { loc: number; scale: number };
  /** The sd floor in standardised units (≥ 0). */
  sdFloor: number;
}

/** The four global sites the fit learns (everything else is summed out or observed). */
export const GLOBAL_SITES = ["probs_init", "probs_trans", "locs", "scales"] as const;

/** The four global sites and their priors (the tutorial's: examples/hmm-gaussian/src/model.ts). */
function* globalPriors(data: CliData, K: number) {
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const locs = yield* sample("locs", dist.Normal(data.locsPrior.loc, data.locsPrior.scale).expand([K]).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(0, 1).expand([K]).toEvent(1));
  return { probsInit, probsTrans, locs, scales };
}

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

/** The model's input: standardised sequences grouped by length (tensors the caller disposes with `disposeData`). */
export function toCliData(z: readonly Float64Array[], sdFloor: number): CliData {
  const byLength = new Map<number, Float64Array[]>();
  for (const y of z) byLength.set(y.length, [...(byLength.get(y.length) ?? []), y]);
  const groups = [...byLength.entries()].map(([T, ys]) => {
    const flat = new Float32Array(ys.length * T);
    ys.forEach((y, s) => flat.set(y, s * T));
    return tf.tensor2d(flat, [ys.length, T]);
  });
  return { groups, locsPrior: locsPrior(z), sdFloor };
}

/** Releases the tensors of `toCliData`. */
export function disposeData(d: CliData): void {
  tf.dispose(d.groups);
}

/** Each state's emission sd: √(scale² + floor²). */
function emissionSd(scales: tf.Tensor, floor: number): tf.Tensor {
  return floor > 0 ? scales.square().add(floor * floor).sqrt() : scales;
}

/**
 * The DiscreteHMM form. DiscreteHMM transitions before its first emission,
 * so z_0 ~ probs_init is written as: u_0 = log probs_init + log N(y_0 | ·)
 * is the initial logits of a DiscreteHMM over y_1…; DiscreteHMM normalises
 * them, so its density is p(y_1… | y_0), and log p(y_0) = log Σ exp u_0 is
 * a factor. Exact, and no [T, K, K] transition tensor.
 */
export function* discreteHmmModel(data: CliData, K: number) {
  const { probsInit, probsTrans, locs, scales } = yield* globalPriors(data, K);
  const emission = dist.Normal(locs, emissionSd(scales, data.sdFloor));
  const logInit = probsInit.log();
  const logTrans = probsTrans.log();
  for (let g = 0; g < data.groups.length; g++) {
    const y = data.groups[g]!;
    const [S, T] = y.shape;
    // u_0 [S, K]: log p(z_0 = k) + log p(y_0 | z_0 = k)
    const u0 = emission.logProb(y.slice([0, 0], [S, 1])).add(logInit);
    const rest = y.slice([0, 1], [S, T - 1]);
    yield* plate(`seqs_${g}`, S, { dim: -1 }, function* () {
      yield* factor(`y0_${g}`, tf.logSumExp(u0, -1));
      yield* sample(`obs_${g}`, new DiscreteHMM(u0, logTrans.expandDims(0), emission, { duration: T - 1 }), { obs: rest });
    });
  }
}

/** The tutorial's markov loop over each group (model.ts `model`, with the floor and groups). */
export function* markovModel(data: CliData, K: number) {
  const { probsInit, probsTrans, locs, scales } = yield* globalPriors(data, K);
  const sd = emissionSd(scales, data.sdFloor);
  for (let g = 0; g < data.groups.length; g++) {
    const y = data.groups[g]!;
    const [S, T] = y.shape;
    yield* plate(`seqs_${g}`, S, { dim: -1 }, function* () {
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        const probs = t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":");
        z = yield* sample(`z_${g}_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
        yield* sample(`y_${g}_${t}`, dist.Normal(vindex(locs, "...", z), vindex(sd, "...", z)), {
          obs: y.slice([0, t], [S, 1]).reshape([S]),
        });
      });
    });
  }
}
