/**
 * `vectorizedMarkov(name, T, { dim }, body)`: a first-order Markov chain
 * over time written once and run twice, as Pyro's `vectorized_markov`: the
 * body runs for t = 0 with the number 0, then ONCE for all of t = 1..T-1
 * with a TimeSlice whose index lives on batch dim `dim`. In that second run
 * the enumerated variables the body kept from the first (`zPrev = z`) stand
 * for "the state at t-1" and the new ones for "the state at t"; TraceEnumELBO
 * reads it so and sums the chain out with one fused op over the time axis,
 * instead of T sites and T eliminations.
 *
 * Every unobserved site in the body must be enumerated: a latent drawn or
 * replayed for all t at once cannot see its own previous value.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { PPLConfigError, PPLModelError } from "../errors.js";
import { parseOptions } from "../options.js";
import { handle } from "../runtime/handler.js";
import { tracked } from "../runtime/pending.js";
import type { MarkovTag, ModelGenerator, PlateFrame } from "../runtime/messages.js";
import { tagged } from "./markov.js";
import { claimDim, withFrame } from "./plate.js";

/** The steps t = start..stop-1 of a vectorizedMarkov body run, as one batch. */
export class TimeSlice {
  /**
   * @param start the first step (1 in a vectorizedMarkov body)
   * @param stop one past the last step (T)
   * @param index int32 [stop-start, 1, ..., 1]: the step numbers, laid out on the time dim
   */
  constructor(
    readonly start: number,
    readonly stop: number,
    /** int32 [stop-start, 1, ..., 1]: the step numbers, laid out on the time dim. */
    readonly index: tf.Tensor,
  ) {}

  /** How many steps: stop − start. */
  get length(): number {
    return this.stop - this.start;
  }

  /** `${start}:${stop}`, so `z_${t}` names the vectorised site `z_1:T`. */
  toString(): string {
    return `${this.start}:${this.stop}`;
  }
}

const vectorizedMarkovOptions = z.strictObject({
  /** The batch dim of the time axis (negative; default: the first dim no enclosing plate uses). */
  dim: z.optional(z.int().check(z.negative())),
  /** Only first-order chains are vectorised. */
  history: z.optional(z.literal(1)),
});

/** Options of {@link vectorizedMarkov}: `dim` (the time axis's batch dim) and `history` (only 1). */
export type VectorizedMarkovOptions = z.input<typeof vectorizedMarkovOptions>;

/**
 * The body gets `t` (0, then a TimeSlice: use it in site names) and `index`
 * (0, then the TimeSlice's index tensor: use it to select data, e.g.
 * `vindex(obs, seqs, index)`).
 */
export type VectorizedMarkovBody = (t: 0 | TimeSlice, index: 0 | tf.Tensor) => ModelGenerator<unknown>;

/**
 * A first-order chain written once and run twice (Pyro's `pyro.vectorized_markov`):
 * with `t = 0`, then once for all of t = 1..size−1 with `t` a {@link TimeSlice}
 * on batch dim `options.dim`. The sites are named `` `z_${t}` ``: `z_0` and `z_1:T`.
 *
 * @param name the time axis's name (a frame like a plate's)
 * @param size T, the number of steps
 * @param options `{ dim }`, the time axis's batch dim
 * @param body `(t, index) => generator`: `index` selects the data of the steps
 * @example
 * yield* plate("seqs", S, { dim: -1 }, function* (seqs) {
 *   let z: tf.Tensor | undefined;
 *   yield* vectorizedMarkov("time", T, { dim: -2 }, function* (t, i) {
 *     const probs = z === undefined ? probsInit : vindex(probsTrans, "...", z, ":");
 *     z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
 *     yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: vindex(obs, seqs, i) });
 *   });
 * });
 */
export function vectorizedMarkov(
  name: string,
  size: number,
  options: VectorizedMarkovOptions,
  body: VectorizedMarkovBody,
): ModelGenerator<void> {
  return tracked(`vectorizedMarkov('${name}')`, runVectorizedMarkov(name, size, options, body));
}

function* runVectorizedMarkov(
  name: string,
  size: number,
  rawOptions: VectorizedMarkovOptions,
  body: VectorizedMarkovBody,
): ModelGenerator<void> {
  if (!Number.isInteger(size) || size < 1) {
    throw new PPLConfigError(`vectorizedMarkov('${name}'): size must be a positive integer, got ${size}`, {
      expected: "positive integer", actual: String(size),
    });
  }
  if (typeof body !== "function") throw new PPLConfigError(`vectorizedMarkov('${name}'): body must be a generator function`);
  const options = parseOptions(`vectorizedMarkov('${name}')`, vectorizedMarkovOptions, rawOptions, {
    valid: "dim (a negative integer) and history (only 1 is supported; use markov(...) for longer histories)",
  });
  const dim = yield* claimDim(name, options.dim, "vectorizedMarkov");
  const frame: PlateFrame = { name, size: size - 1, subsampleSize: size - 1, dim, time: true };
  const chain = {};
  const tag = (step: number): MarkovTag => ({ chain, chainName: name, step, history: 1, time: frame });

  yield* notNested(name, tagged(body(0, 0), tag(0)));
  if (size === 1) return;
  const index = tf.tensor(Int32Array.from({ length: size - 1 }, (_, i) => i + 1), [size - 1, ...new Array<number>(-dim - 1).fill(1)], "int32");
  yield* notNested(name, withFrame(tagged(body(new TimeSlice(1, size, index), index), tag(1)), frame, 1));
}

/** A vectorizedMarkov inside another would need a two-dimensional scan. */
function notNested<R>(name: string, gen: ModelGenerator<R>): ModelGenerator<R> {
  return handle(gen, {
    process(msg) {
      if (msg.type !== "sample") return;
      // our own tag is pushed by the handler inside this one, so any second time tag comes from a nested chain
      const inner = msg.markov.filter((m) => m.time !== undefined);
      if (inner.length > 1) {
        throw new PPLModelError(
          `site '${msg.name}': vectorizedMarkov('${inner[0]!.chainName}') is nested inside vectorizedMarkov('${name}'); ` +
            "only one level of vectorised time is supported. Fix: make the inner loop a markov(range(...), ...) loop",
          { site: msg.name, expected: "one vectorizedMarkov level", actual: "nested" },
        );
      }
    },
  });
}
