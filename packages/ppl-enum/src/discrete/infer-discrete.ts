/**
 * inferDiscrete: the model with its enumerated sites replaced by a joint
 * posterior draw (temperature 1: forward filtering, backward sampling) or the
 * joint MAP assignment (temperature 0: Viterbi on a chain), given everything
 * else in the model.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { handle, hashSeed, makeRng, nextSeed, trace, withHandler } from "ppl-core";
import { checkVectorizedMarkovSites, guessMaxPlateNesting, parseOptions, withStepCache, withStepCacheWhileRunning } from "ppl-core/internal";
import type { Model, ModelGenerator, Trace } from "ppl-core";
import { backward, sampleChooser } from "../contract/backward.js";
import { PlanCache } from "../contract/plan-cache.js";
import { SampleRing } from "../contract/rings.js";
import { type CollectedTerms, collectTerms } from "../terms/collect.js";
import { contractTerms, planTerms } from "../terms/contract-terms.js";
import { EnumMessenger } from "../enum/enum-handler.js";
import { type DecodedSlot, decodedSlots, decodedValues, packedSize, writeIndices } from "./decoded-slots.js";
import { mapIndices } from "./map-op.js";

const inferDiscreteOptions = z.strictObject({
  /** The rightmost dim enumeration may use (-1 - maxPlateNesting); inferred from a plain run when left out. */
  firstAvailableDim: z.optional(z.int().check(z.negative())),
  /** 0: MAP (Viterbi), 1: a posterior sample. */
  temperature: z._default(z.union([z.literal(0), z.literal(1)]), 1),
  /** Seed for temperature 1; successive runs continue its stream. Default: ppl-core's global stream. */
  seed: z.optional(z.int()),
});

/** Options of {@link inferDiscrete}: `temperature` (0 or 1, default 1), `firstAvailableDim`, `seed`. */
export type InferDiscreteOptions = z.input<typeof inferDiscreteOptions>;

/**
 * The model with its enumerated sites decided jointly given the rest of the
 * run (Pyro's `infer_discrete`): the MAP assignment at temperature 0 (Viterbi
 * on a chain), a posterior draw at temperature 1. Read the values off a
 * trace of the returned model (docs/infer-discrete.md); fix the continuous
 * sites first, e.g. with `condition(model, guide.median(...args))`. For each
 * site's exact posterior marginal instead of a draw, use
 * {@link TraceEnumELBO.computeMarginals}.
 *
 * @example
 * const decoded = trace(inferDiscrete(condition(model, learned), { temperature: 0 })).getTrace(obs, 3);
 * decoded.sampleSite("z_0").value; // the most likely first state of each sequence
 */
export function inferDiscrete<A extends unknown[], R>(model: Model<A, R>, options: InferDiscreteOptions = {}): Model<A, R> {
  const o = parseOptions("inferDiscrete", inferDiscreteOptions, options);
  const plans = new PlanCache();
  let runs = 0;
  return function* decoded(...args: A): ModelGenerator<R> {
    const firstAvailableDim = o.firstAvailableDim ?? -1 - guessMaxPlateNesting(model, undefined, args);
    const seed = o.seed === undefined ? nextSeed("inferDiscrete") : hashSeed(o.seed, runs++);
    const values = withStepCache(() => tf.tidy(() => decode(model, args, firstAvailableDim, o.temperature, seed, plans)));
    // the replay shares its derivations across sites as a loss call does: sites of equal decoded values share one
    // tensor (decodedValues), so a chain's vindex(A, "...", z) and the distributions built on it are made once per state
    return yield* handle(withStepCacheWhileRunning(model(...args)), {
      process(msg) {
        if (msg.type !== "sample" || msg.isObserved || msg.role !== "sample") return;
        const v = values[msg.name];
        if (v === undefined) return;
        msg.value = v;
        msg.done = true;
      },
    });
  };
}

/** Values for every latent site: decoded ones for enumerated sites, the enumerated run's draws for the rest. */
function decode<A extends unknown[], R>(
  model: Model<A, R>,
  args: A,
  firstAvailableDim: number,
  temperature: 0 | 1,
  seed: number,
  plans: PlanCache,
): Record<string, tf.Tensor> {
  const { tr, terms, slots } = enumeratedRun(model, args, firstAvailableDim);
  let packed: ArrayLike<number>;
  if (temperature === 0) {
    packed = mapAssignment(terms, plans, slots).dataSync();
  } else {
    // the ring records each elimination (a vectorizedMarkov chain's first, before the enumerated variables outside it
    // that it depends on) and the backward pass draws them in reverse
    const ring = new SampleRing();
    contractTerms(terms, plans, ring);
    const indices = new Int32Array(packedSize(slots));
    writeIndices(slots, backward(ring.records, terms.plateSizes, sampleChooser(makeRng(seed))), indices);
    packed = indices;
  }
  const decoded = decodedValues(slots, packed);
  const out: Record<string, tf.Tensor> = {};
  for (const site of tr.latentSites()) out[site.name] = decoded.get(site.name) ?? site.value;
  return out;
}

/** The model run with its enumerated sites laid out on enumeration dims, its terms for a decode, and where each decoded site goes. */
export function enumeratedRun<A extends unknown[], R>(model: Model<A, R>, args: A, firstAvailableDim: number): { tr: Trace; terms: CollectedTerms; slots: DecodedSlot[] } {
  const messenger = new EnumMessenger(firstAvailableDim);
  const tr = trace(withHandler(model, () => messenger)).getTrace(...args);
  checkVectorizedMarkovSites(tr);
  return { tr, terms: collectTerms(tr, "decode"), slots: decodedSlots(tr) };
}

/** The MAP indices of every enumerated site (packed as `slots` says): one op from the contraction's factors. */
export function mapAssignment(terms: CollectedTerms, plans: PlanCache, slots: readonly DecodedSlot[]): tf.Tensor1D {
  const planned = planTerms(terms, plans);
  if (planned === undefined) return tf.zeros([packedSize(slots)], "int32");
  return mapIndices(planned.plan, planned.factors, terms.plateSizes, slots);
}
