/**
 * inferDiscrete's MAP decode compiled once per argument signature
 * (docs/compiled.md): the first call runs the model enumerated, collects its
 * terms and decodes as inferDiscrete at temperature 0 does, recording the
 * kernels from the params and the argument tensors to the MAP op
 * (map-op.ts); later calls replay them, then read the packed indices into
 * each site's value by the layout kept with the program (decoded-slots.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import type { CompiledLossStats, Model, ModelGenerator } from "ppl-core";
import { CompiledLoss, guessMaxPlateNesting, parseOptions, withStepCache } from "ppl-core/internal";
import { PlanCache } from "../contract/plan-cache.js";
import { type DecodedSlot, decodedValues } from "./decoded-slots.js";
import { enumeratedRun, mapAssignment } from "./infer-discrete.js";

const jitInferDiscreteOptions = z.strictObject({
  /** Only the MAP decode is compiled: a posterior draw (temperature 1) samples backward in JS from ppl's stream, inside the decode. */
  temperature: z.literal(0),
  /** The rightmost dim enumeration may use (-1 - maxPlateNesting); inferred from the first call's plain run when left out. */
  firstAvailableDim: z.optional(z.int().check(z.negative())),
});

/** Options of {@link JitInferDiscrete}: `temperature: 0` (required: the MAP decode), `firstAvailableDim`. */
export type JitInferDiscreteOptions = z.input<typeof jitInferDiscreteOptions>;

/** The decode compiles no guide: its table is keyed by the model alone. */
function* noGuide(): ModelGenerator<void> {}

/**
 * Pyro's `infer_discrete(model, temperature=0)`, compiled: `decode(...args)`
 * gives the MAP value of every parallel-enumerated site, as a trace of
 * `inferDiscrete(model, { temperature: 0 })` at those arguments would hold
 * them. The first call for an argument signature records, later calls
 * replay without running the model; a model a replay could get wrong (one
 * that reads a param-dependent value in JS, say) runs interpreted with a
 * one-time message (docs/compiled.md). Pass what changes between calls (the
 * data, the learned globals) as tensor arguments.
 *
 * @example
 * const viterbi = new JitInferDiscrete(hmm, { temperature: 0, firstAvailableDim: -2 });
 * const values = viterbi.decode(obs, globals); // Map: "z_0" → its MAP value, ...
 */
export class JitInferDiscrete<A extends unknown[]> {
  private readonly compiled = new CompiledLoss("JitInferDiscrete", "decode");
  private readonly plans = new PlanCache();
  /** How to read each program's output. */
  private readonly layouts = new WeakMap<object, readonly DecodedSlot[]>();
  private firstAvailableDim: number | undefined;

  constructor(private readonly model: Model<A>, options: JitInferDiscreteOptions) {
    this.firstAvailableDim = parseOptions("JitInferDiscrete", jitInferDiscreteOptions, options).firstAvailableDim;
  }

  /**
   * The MAP value of every parallel-enumerated site, by site name: its
   * plates' shape (full sizes) ++ its event shape, int32 for a Categorical.
   * The tensors are the caller's; sites decoded to the same value share one,
   * so dispose them together (`tf.dispose([...values.values()])`).
   */
  decode(...args: A): Map<string, tf.Tensor> {
    const firstAvailableDim = (this.firstAvailableDim ??= -1 - guessMaxPlateNesting(this.model, undefined, args));
    let slots: readonly DecodedSlot[] | undefined;
    const call = this.compiled.call(this.model, noGuide as Model<A>, args, (model) =>
      withStepCache(() => tf.tidy(() => {
        const run = enumeratedRun(model, args, firstAvailableDim);
        slots = run.slots;
        return mapAssignment(run.terms, this.plans, run.slots);
      })));
    if (slots !== undefined && call.program !== undefined) this.layouts.set(call.program, slots);
    slots ??= this.layouts.get(call.program!);
    try {
      return decodedValues(slots!, call.value.dataSync());
    } finally {
      call.value.dispose();
    }
  }

  /** How many calls recorded a program, replayed one, or ran interpreted. */
  get compileStats(): Readonly<CompiledLossStats> {
    return this.compiled.stats;
  }

  /** Release the recorded programs' kept tensors (the next call records again). */
  dispose(): void {
    this.compiled.dispose();
  }
}
