/**
 * Exact MAP disaggregation: the household's factorial HMM decoded by
 * ppl-hmm's factorialMap — the model's terms in float64, eliminated by one
 * pass of ppl-core's factorial kernel, T·S·Σ K_m work for S = Π K_m joint
 * states, never the product chain's T·S² — exactly what `ppl-hmm
 * disaggregate` runs on a real house, and the step ppl's planner takes when
 * inferDiscrete decodes this example's factorial model (model.ts; the two are
 * compared in test/house-model.test.ts). Beyond ppl-hmm's MAX_EXACT_STATES
 * joint states it refuses, pointing to the approximate decoder.
 */
import * as tf from "@tensorflow/tfjs";
import { condition } from "ppl-core";
import { JitInferDiscrete } from "ppl-enum";
import { type Chain, factorialMap } from "ppl-hmm";
import { type FactorialPrior, type Globals, factorialModel, factorialModelVectorized, globalValues, stateSite } from "./model.js";

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

/** How the household is written (model.ts): time vectorised (2M state sites) or a markov loop (T·M sites). */
export type FactorialForm = "vectorized" | "loop";

const forms = {
  vectorized: { model: factorialModelVectorized, firstAvailableDim: -2 },
  loop: { model: factorialModel, firstAvailableDim: -1 },
} as const;

// one decoder per form for every call: each records once per structure (M, T, the prior) and replays after
const decoders = new Map<FactorialForm, JitInferDiscrete<[tf.Tensor1D, FactorialPrior, Record<string, tf.Tensor>]>>();

function decoder(form: FactorialForm) {
  let d = decoders.get(form);
  if (d === undefined) {
    const { model, firstAvailableDim } = forms[form];
    d = new JitInferDiscrete(
      function* pinned(mains: tf.Tensor1D, prior: FactorialPrior, globals: Record<string, tf.Tensor>) {
        return yield* condition(model, globals)(mains, prior);
      },
      { temperature: 0, firstAvailableDim },
    );
    decoders.set(form, d);
  }
  return d;
}

/** Appliance m's state sites in time order: z_m_0 and z_m_1:T (vectorised), or z_m_t for every t (loop). */
function stateSites(form: FactorialForm, m: number, T: number): string[] {
  if (form === "loop") return Array.from({ length: T }, (_, t) => stateSite(m, t));
  return T === 1 ? [stateSite(m, 0)] : [stateSite(m, 0), `z_${m}_1:${T}`];
}

/**
 * The same MAP through ppl's own route: the MAP decode (inferDiscrete at
 * temperature 0, compiled: JitInferDiscrete) of this example's factorial
 * model (model.ts) with its globals pinned by condition. Written with time
 * vectorised (the default), the model has 2M state sites and its factors
 * are O(1) kernels over [T, joint states]; as a markov loop, T·M sites. The
 * planner eliminates the M chains, which meet only in the meter's emission,
 * with one time-chain step (the factorial kernel's Viterbi), so the states
 * are exactMap's (test/house-model.test.ts, test/decode.test.ts). The first
 * call for a structure runs the model and records; later calls replay the
 * recorded kernels (bench/nilm.ts times both).
 */
export function inferDiscreteMap(mains: readonly number[], prior: FactorialPrior, globals: Globals, form: FactorialForm = "vectorized"): number[][] {
  const M = prior.appliances.length;
  const T = mains.length;
  // from a typed array: tfjs walks a plain array element by element to infer its shape and dtype (3× the copy)
  const data = tf.tensor1d(Float32Array.from(mains));
  const values = decoder(form).decode(data, prior, globalTensors(globals));
  try {
    return Array.from({ length: M }, (_, m) => {
      const path = new Array<number>(T);
      let t = 0;
      // (an indexed loop: for-of over a typed array runs its iterator, ~2× the read at T = 1 440)
      for (const site of stateSites(form, m, T)) {
        const v = values.get(site)!.dataSync();
        for (let i = 0; i < v.length; i++) path[t++] = v[i]!;
      }
      return path;
    });
  } finally {
    tf.dispose([data, ...values.values()]);
  }
}

// The last call's globals as tensors, reused while their values stay the same: a compiled decode keeps what it
// made from argument tensors it has seen (ppl-core jit/program.ts), so decoding a new day with the same learned
// globals runs only the steps on the data (the ~15 small ones on the globals, and these tensors, are not made again).
let lastGlobals: { readonly values: readonly number[]; readonly tensors: Record<string, tf.Tensor> } | undefined;

function globalTensors(g: Globals): Record<string, tf.Tensor> {
  // each appliance's number of states, then the values flattened in a fixed order
  const values = [...g.locs.map((l) => l.length), g.noise, ...g.probsTrans.flat(2), ...g.locs.flat(), ...g.scales.flat()];
  const was = lastGlobals?.values;
  if (lastGlobals === undefined || was!.length !== values.length || values.some((x, i) => !Object.is(x, was![i]))) {
    if (lastGlobals !== undefined) tf.dispose(Object.values(lastGlobals.tensors));
    lastGlobals = { values, tensors: tf.tidy(() => globalValues(g)) };
    for (const t of Object.values(lastGlobals.tensors)) tf.keep(t);
  }
  return lastGlobals.tensors;
}
