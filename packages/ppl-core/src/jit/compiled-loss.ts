/**
 * A loss function compiled once per structure (Pyro's JIT ELBOs): the first
 * call with a given signature runs the model and guide as usual and records
 * the kernels from the params and the argument tensors to the loss
 * (recorder.ts); later calls with the same signature replay them
 * (program.ts). What a replay would get wrong is guarded, never silently
 * stale:
 * - another signature (argument shapes, dtypes, non-tensor values, the
 *   ParamStore's names), another model or guide: another program;
 * - a call that created params (the first step creates them lazily): not
 *   kept (its recording ends where the first param is created), the next
 *   call records;
 * - a variable the program reads was disposed (the store was cleared): recorded again;
 * - argument values the recorded call read in JS differ: another program
 *   (up to PROGRAMS_PER_SIGNATURE for one signature, then interpreted);
 * - a recording the recorder refused (a read of a param-dependent or drawn
 *   value, noise it cannot make again, a custom op it cannot replay) twice
 *   in a row: that signature runs
 *   interpreted, with a one-time message saying why (once is retried: a
 *   first call may do one-time work, such as a plain run that infers
 *   maxPlateNesting by drawing); a custom op's gradient that the recorder
 *   watches in the call's backward pass (gradient-checks.ts) refuses the kept
 *   program when it runs, and a program whose watched gradient never ran is
 *   recorded again with its gradients run at record time.
 */
import * as tf from "@tensorflow/tfjs-core";
import { getParamStore, watchParamCreation } from "../params/param-store.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";
import type { GradientChecks } from "./gradient-checks.js";
import type { Program } from "./program.js";
import { record, stopRecording } from "./recorder.js";
import { type Signature, signature } from "./signature.js";

/** Programs kept for one signature, told apart by the argument values the model read. */
const PROGRAMS_PER_SIGNATURE = 4;
/** Signatures kept per model and guide (the oldest is dropped). */
const SIGNATURES = 16;

interface Kept {
  program: Program;
  params: ReadonlySet<string>;
  /** The gradient checks the recording left to its call's backward pass. */
  checks: GradientChecks;
}

interface Entry {
  programs: Kept[];
  /** Why this signature runs interpreted. */
  interpreted?: string;
  /** Whether the last recording was refused (a second refusal in a row makes the signature interpreted). */
  refusedLast?: boolean;
  /** Whether recordings run the custom ops' gradients at record time (a gradient left to the backward pass did not run). */
  eagerGradients?: boolean;
}

/** What one call gave: the loss, and for a replay the params the recorded run's model and guide used. */
export interface CompiledCall<T extends tf.Tensor = tf.Scalar> {
  readonly value: T;
  /** Set when the loss was replayed: the params the model and guide read in the recorded run (the run SVI's ParamCapture did not see). */
  readonly replayedParams?: ReadonlySet<string>;
  /**
   * The program that answered, or that this call recorded and kept: an identity for what a caller keeps beside it
   * (a compiled decode, how to read its output); unset when the call ran interpreted and kept nothing.
   */
  readonly program?: object;
}

/** Counts of what the calls did, for tests and benchmarks. */
export interface CompiledLossStats {
  /** Calls that ran the loss and recorded a program from it. */
  recorded: number;
  /** Calls answered by replaying a recorded program. */
  replayed: number;
  /** Calls that ran the loss interpreted because a recording was refused (the one-time message says why). */
  interpreted: number;
}

export class CompiledLoss {
  private readonly tables = new Map<Model<never>, Map<Model<never>, Map<string, Entry>>>();
  private readonly told = new Set<string>();
  /** The last call's signature: the next call with the same structure is keyed without formatting its key. */
  private lastSignature: Signature | undefined;
  readonly stats: CompiledLossStats = { recorded: 0, replayed: 0, interpreted: 0 };

  /**
   * @param who the loss's name, for messages (e.g. "JitTraceELBO")
   * @param what what it computes, for messages ("loss", or "decode" for a compiled inferDiscrete)
   */
  constructor(private readonly who: string, private readonly what = "loss") {}

  /**
   * The loss of `model` and `guide` at `args`: replayed when a program fits,
   * else `loss` run (and recorded when it can be).
   */
  call<A extends unknown[], T extends tf.Tensor = tf.Scalar>(
    model: Model<A>, guide: Model<A>, args: A, loss: (model: Model<A>, guide: Model<A>) => T,
  ): CompiledCall<T> {
    const sig = (this.lastSignature = signature(args, this.lastSignature));
    if (sig.unkeyable !== undefined) return this.interpreted(sig.unkeyable, () => loss(model, guide));
    const store = getParamStore();
    const names = store.names().join("\u0000");
    const key = `${sig.key}\u0001${names}`;
    const table = this.table(model, guide);
    const entry = table.get(key) ?? { programs: [] };
    if (entry.interpreted !== undefined) return this.interpreted(entry.interpreted, () => loss(model, guide));
    entry.programs = entry.programs.filter((p) => {
      const stale = p.program.variables().some((v) => v.isDisposed);
      // its call's backward pass did not run a gradient the recorder left to it: record again, checking at record time
      if (p.checks.unchecked) entry.eagerGradients = true;
      if (stale || p.checks.unchecked) p.program.dispose();
      return !stale && !p.checks.unchecked;
    });
    const fit = entry.programs.find((p) => p.program.sameReadValues(sig.tensors));
    if (fit !== undefined) {
      entry.refusedLast = false;
      this.stats.replayed++;
      return { value: tf.tidy(() => fit.program.run(sig.tensors)) as T, replayedParams: fit.params, program: fit.program };
    }
    const seen = new Set<string>();
    // a call that creates a param keeps no program (below): its recording ends there, and the rest runs unrecorded
    // (the first step creates every param, an autoguide's in its prototype run)
    const unwatch = watchParamCreation((name) => stopRecording(`the call created param '${name}'`));
    let rec: ReturnType<typeof record>;
    try {
      rec = record(sig.tensors, () => loss(observeParams(model, seen), observeParams(guide, seen)), { eagerGradients: entry.eagerGradients === true });
    } finally {
      unwatch();
    }
    const value = rec.result as T;
    if (store.names().join("\u0000") !== names) {
      // the call created params: its program would not read them as later calls do; the next call records
      rec.program?.dispose();
      return { value };
    }
    if (rec.refused !== undefined) {
      // a first call often does one-time work the next does not (inferring maxPlateNesting by a plain run that draws):
      // one refusal is retried on the next call, two in a row settle it
      if (entry.refusedLast === true) entry.interpreted = rec.refused;
      else this.stats.interpreted++;
      entry.refusedLast = true;
    } else if (entry.programs.length >= PROGRAMS_PER_SIGNATURE) {
      rec.program.dispose();
      entry.interpreted = `the model reads argument values in JS that changed in each of ${PROGRAMS_PER_SIGNATURE + 1} recorded calls ` +
        "(each set of values needs its own program)";
    } else {
      const kept: Kept = { program: rec.program, params: seen, checks: rec.checks };
      entry.programs.push(kept);
      rec.checks.onRefused = (reason) => this.refusedLater(entry, kept, reason);
      // a recording whose gradient checks wait for the backward pass is not yet known good (its first replay says so)
      if (!rec.checks.unchecked) entry.refusedLast = false;
      this.stats.recorded++;
    }
    table.delete(key);
    table.set(key, entry);
    if (table.size > SIGNATURES) this.drop(table, table.keys().next().value!);
    if (entry.interpreted !== undefined) return this.interpreted(entry.interpreted, () => value);
    return { value, program: rec.program };
  }

  /** Release every program's constants (the loss records again on its next call). */
  dispose(): void {
    for (const byGuide of this.tables.values()) for (const table of byGuide.values()) for (const key of [...table.keys()]) this.drop(table, key);
    this.tables.clear();
    this.lastSignature = undefined;
  }

  private table(model: Model<never>, guide: Model<never>): Map<string, Entry> {
    let byGuide = this.tables.get(model);
    if (byGuide === undefined) this.tables.set(model, (byGuide = new Map()));
    let table = byGuide.get(guide);
    if (table === undefined) byGuide.set(guide, (table = new Map()));
    return table;
  }

  private drop(table: Map<string, Entry>, key: string): void {
    const entry = table.get(key);
    if (entry !== undefined) {
      for (const p of entry.programs) p.program.dispose();
      entry.programs = [];
    }
    table.delete(key);
  }

  /**
   * A kept program's gradient check, run in its call's backward pass, found a capture: the recording counts as
   * refused, as one refused at record time does (its call ran interpreted; two in a row settle the signature).
   */
  private refusedLater(entry: Entry, kept: Kept, reason: string): void {
    const i = entry.programs.indexOf(kept);
    if (i < 0) return;
    entry.programs.splice(i, 1);
    kept.program.dispose();
    this.stats.recorded--;
    this.stats.interpreted++;
    if (entry.refusedLast === true) {
      entry.interpreted = reason;
      this.tell(reason);
    }
    entry.refusedLast = true;
  }

  private interpreted<T extends tf.Tensor>(reason: string, run: () => T): CompiledCall<T> {
    this.stats.interpreted++;
    this.tell(reason);
    return { value: run() };
  }

  /** The one-time message saying why a signature runs interpreted. */
  private tell(reason: string): void {
    if (this.told.has(reason)) return;
    this.told.add(reason);
    console.warn(`ppl: ${this.who} runs this ${this.what} interpreted (not compiled): ${reason}.`);
  }
}

/** `model` noting the params that reach its outside (what SVI's ParamCapture sees) in `seen`. */
function observeParams<A extends unknown[]>(model: Model<A>, seen: Set<string>): Model<A> {
  return withHandler(model, () => ({
    process: (msg) => {
      if (msg.type === "param") seen.add(msg.name);
    },
  }));
}
