/**
 * Exact MAP disaggregation: the household's factorial HMM decoded by
 * ppl-hmm's factorialMap — the model's terms in float64, eliminated by one
 * pass of ppl-core's factorial kernel, T·S·Σ K_m work for S = Π K_m joint
 * states, never the product chain's T·S² — exactly what `ppl-hmm
 * disaggregate` runs on a real house, and the step ppl's planner takes when
 * inferDiscrete decodes this example's factorialModel (model.ts; the two are
 * compared in test/house-model.test.ts). Beyond ppl-hmm's MAX_EXACT_STATES
 * joint states it refuses, pointing to the approximate decoder.
 */
import * as tf from "@tensorflow/tfjs";
import { condition } from "ppl-core";
import { JitInferDiscrete } from "ppl-enum";
import { type Chain, factorialMap } from "ppl-hmm";
import { type FactorialPrior, type Globals, factorialModel, globalValues, stateSite } from "./model.js";

/** The learned globals (and each appliance's start distribution) as the chains the factorial decoder takes. */
export function chainsOf(probsInit: readonly (readonly number[])[], g: Globals): Chain[] {
  return g.locs.map((locs, m) => ({ init: probsInit[m]!, trans: g.probsTrans[m]!, locs, scales: g.scales[m]! }));
}

/**
 * The joint MAP states [M][T] of every appliance given the mains [T], each
 * appliance's start distribution and the learned globals.
 *
 * @example
 * const states = exactMap(day.mains, probsInit, learned.globals); // states[m][t] ∈ {0, 1, 2}
 */
export function exactMap(mains: readonly number[], probsInit: readonly (readonly number[])[], g: Globals): number[][] {
  return factorialMap(mains, chainsOf(probsInit, g), 1, g.noise);
}

// one decoder for every call: it records once per structure (M, T, the prior) and replays after
const viterbi = new JitInferDiscrete(
  function* pinned(mains: tf.Tensor1D, prior: FactorialPrior, globals: Record<string, tf.Tensor>) {
    return yield* condition(factorialModel, globals)(mains, prior);
  },
  { temperature: 0, firstAvailableDim: -1 },
);

/**
 * The same MAP through ppl's own route: the MAP decode (inferDiscrete at
 * temperature 0, compiled: JitInferDiscrete) of this example's
 * factorialModel (model.ts) with its globals pinned by condition. The
 * planner fuses the M chains, which meet only in the meter's emission, into
 * the same factorial kernel exactMap runs, so the states are the same
 * (test/house-model.test.ts); what it adds is the per-site work of running
 * the model, T·M sites, on the first call for a structure (later calls
 * replay the recorded kernels; bench/nilm.ts times both).
 */
export function inferDiscreteMap(mains: readonly number[], prior: FactorialPrior, globals: Globals): number[][] {
  const M = prior.appliances.length;
  return tf.tidy(() => {
    const values = viterbi.decode(tf.tensor1d(mains as number[]), prior, globalValues(globals));
    const T = mains.length;
    const all = tf.stack(Array.from({ length: M }, (_, m) => tf.stack(Array.from({ length: T }, (_, t) => values.get(stateSite(m, t))!.reshape([]))))).dataSync();
    return Array.from({ length: M }, (_, m) => Array.from(all.subarray(m * T, (m + 1) * T)));
  });
}
