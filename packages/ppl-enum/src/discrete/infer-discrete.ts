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
import type { Model, ModelGenerator, SampleSite } from "ppl-core";
import { backward, chooseMax, sampleChooser, type Assignment } from "../contract/backward.js";
import { PlanCache } from "../contract/plan-cache.js";
import { MapRing, SampleRing } from "../contract/rings.js";
import { collectTerms } from "../terms/collect.js";
import { plateDim, timeDim, varDim, vectorizedFrames } from "../terms/dims.js";
import { contractTerms } from "../terms/contract-terms.js";
import { EnumMessenger } from "../enum/enum-handler.js";

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
    // tensor (valueOf), so a chain's vindex(A, "...", z) and the distributions built on it are made once per state
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
  const messenger = new EnumMessenger(firstAvailableDim);
  const tr = trace(withHandler(model, () => messenger)).getTrace(...args);
  checkVectorizedMarkovSites(tr);
  const terms = collectTerms(tr, "decode");
  const ring = temperature === 0 ? new MapRing() : new SampleRing();
  // the ring records each elimination (a vectorizedMarkov chain's first, before the enumerated variables outside it
  // that it depends on) and the backward pass decides them in reverse
  contractTerms(terms, plans, ring);
  const decided: Map<string, Assignment> = backward(ring.records, terms.plateSizes, temperature === 0 ? chooseMax : sampleChooser(makeRng(seed)));
  const out: Record<string, tf.Tensor> = {};
  const picked = new DecodedValues();
  for (const site of tr.latentSites()) {
    out[site.name] = site.enumInfo?.kind === "parallel" ? valueOf(site, decided.get(varDim(site.enumInfo.variable.id)), picked) : site.value;
  }
  return out;
}

/** The decoded value of an enumerated site, with only its plate dims (full plate sizes). */
function valueOf(site: SampleSite, a: Assignment | undefined, picked: DecodedValues): tf.Tensor {
  const frames = vectorizedFrames(site);
  const batchRank = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(batchRank).fill(1);
  for (const f of frames) shape[batchRank + f.dim] = f.subsampleSize;
  const total = shape.reduce((x, y) => x * y, 1);
  const idx = new Int32Array(total);
  if (a !== undefined) {
    // which full-shape position each of the assignment's plates sits at
    const at = a.plates.map((p) => {
      const f = frames.find((fr) => (fr.time === true ? timeDim(fr.name) : plateDim(fr.name)) === p);
      if (f === undefined) throw new Error(`internal: '${site.name}' was decoded along ${p}, which is not one of its plates`);
      return batchRank + f.dim;
    });
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
    const aStrides = a.sizes.map((_, i) => a.sizes.slice(i + 1).reduce((x, y) => x * y, 1));
    for (let c = 0; c < total; c++) {
      let flat = 0;
      for (let i = 0; i < at.length; i++) flat += (Math.floor(c / strides[at[i]!]!) % shape[at[i]!]!) * aStrides[i]!;
      idx[c] = a.values[flat]!;
    }
  }
  return picked.pick(site.value, idx, [...shape, ...site.fn.eventShape]);
}

/**
 * Rows of enumerated supports [K, ...event], picked in JS (one small read per
 * support and one tensor, where a gather took three ops per site), one tensor
 * per distinct decoded value: a chain's sites decoded to the same states share
 * it, so the replay's derivations from it (vindex, a distribution's
 * normalised parameters, their checks) are step-cached once per value.
 */
class DecodedValues {
  private readonly supports = new Map<tf.Tensor, tf.TypedArray>();
  private readonly values = new Map<string, tf.Tensor>();

  pick(support: tf.Tensor, idx: Int32Array, shape: number[]): tf.Tensor {
    const data = this.supports.get(support) ?? (support.dataSync() as tf.TypedArray);
    this.supports.set(support, data);
    const E = data.length / support.shape[0]!;
    const out = new (data.constructor as new (n: number) => typeof data)(idx.length * E);
    for (let c = 0; c < idx.length; c++) for (let e = 0; e < E; e++) out[c * E + e] = data[idx[c]! * E + e]!;
    const key = `${support.dtype}[${shape.join(",")}]${out.join(",")}`;
    let value = this.values.get(key);
    if (value === undefined) this.values.set(key, (value = tf.tensor(out, shape, support.dtype)));
    return value;
  }
}
