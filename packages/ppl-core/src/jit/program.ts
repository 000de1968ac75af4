/**
 * A recorded loss: the tfjs kernels and custom-gradient ops one call ran, in
 * order, from its leaves (the tf.Variables it read, the call's tensor
 * arguments, the draws' noise, and constants it made from JS values) to the
 * loss. `run` replays them through the engine with the variables' current
 * values, a new call's tensor arguments and fresh noise (the seeds ppl's
 * random stream gives now at the places the recorded call took them), so a
 * gradient tape around it records them as it records the interpreted call.
 * No model, handler, validation or planning runs.
 *
 * The steps that depend on no variable and no draw (the data handling: slices of the
 * sequences, masks from their lengths) give the same tensors for the same
 * argument tensors (tfjs tensors are immutable): their results that the
 * variable-dependent steps use are kept from one replay to the next while the
 * call passes the very same argument tensors, and made again when it passes
 * others. Each such step is made again only when an argument that reaches it
 * changed: a decode that gets a new day's data with the same learned globals
 * runs the steps on the data, not the ~15 small ones on the globals alone.
 */
import * as tf from "@tensorflow/tfjs-core";
import { noise, seedsAhead } from "../rng.js";
import { fuseSteps } from "./fuse.js";

/** Where a slot's tensor comes from before any step runs. */
export type Leaf =
  | { readonly kind: "variable"; readonly variable: tf.Variable }
  | { readonly kind: "arg"; readonly index: number }
  /** A draw's noise: `make` called with the seed the stream gives in place of the recorded call's `seed`-th. */
  | { readonly kind: "noise"; readonly seed: number; readonly make: (seed: number) => tf.Tensor }
  | { readonly kind: "constant"; readonly tensor: tf.Tensor };

/** One recorded op: its input and output slots. */
export type Step =
  | {
    readonly kind: "kernel";
    readonly kernelName: string;
    /** Input slots, by the kernel's input names (or in order, for a kernel whose inputs are a list such as Concat). */
    readonly inputs: Readonly<Record<string, number>> | readonly number[];
    readonly attrs: unknown;
    readonly outputs: readonly number[];
    /** Whether a variable or a draw reaches the step: it runs on every replay (else only arguments and constants do). */
    readonly perCall: boolean;
  }
  | {
    readonly kind: "custom";
    /** The function given to tf.customGrad (it receives the inputs and a save function). */
    readonly f: (...args: never[]) => unknown;
    readonly inputs: readonly number[];
    readonly outputs: readonly number[];
    readonly perCall: boolean;
  };

/** An argument tensor whose values the recorded call read in JS: a replay needs the same values. */
export interface ReadArg {
  readonly index: number;
  readonly values: ArrayLike<number>;
}

interface EngineReplay {
  runKernelFunc(params: { kernelName: string; inputs: unknown; attrs: unknown }): tf.Tensor | tf.Tensor[];
  customGrad(f: unknown): (...inputs: tf.Tensor[]) => tf.Tensor;
  /** Whether a gradient tape records the ops run now (inside tf.grads / variableGrads, outside any kernel). */
  isTapeOn(): boolean;
}

/** tfjs's save function where no tape records: nothing is kept for a gradient. */
const saveNothing: tf.GradSaveFunc = () => {};

export class Program {
  /** The recorded steps, with the fusions fuse.ts makes. */
  private readonly steps: readonly Step[];
  /** The steps no variable or draw reaches, and those one does. */
  private readonly argSteps: readonly Step[];
  private readonly paramSteps: readonly Step[];
  /** Per argument-only step, the indices of the arguments that reach it. */
  private readonly argDeps: readonly (readonly number[])[];
  /**
   * Slots the argument-only steps make that are read where their maker may not have run: by a per-call step, as
   * the output, or by a step more arguments reach (made again for an argument its input's maker does not see).
   */
  private readonly frontier: readonly number[];
  /** The argument tensors the kept values were made from, and the values by slot. */
  private keptFor: readonly tf.Tensor[] | undefined;
  private readonly kept = new Map<number, tf.Tensor>();

  constructor(
    /** Slot → its leaf, for the slots no step makes. */
    private readonly leaves: ReadonlyMap<number, Leaf>,
    steps: readonly Step[],
    private readonly output: number,
    private readonly slotCount: number,
    /** The argument tensors the recording read in JS, with the values it read. */
    readonly readArgs: readonly ReadArg[],
    /** The seeds the recorded call took from the stream (label, position past its start) and where it left the stream. */
    private readonly seeds: { readonly at: readonly { readonly offset: number; readonly label: string }[]; readonly end: number },
  ) {
    this.steps = fuseSteps(steps, output);
    this.argSteps = this.steps.filter((s) => !s.perCall);
    this.paramSteps = this.steps.filter((s) => s.perCall);
    // the arguments reaching each slot an argument-only step makes (or an argument leaf is)
    const reach = new Map<number, readonly number[]>();
    for (const [slot, leaf] of leaves) if (leaf.kind === "arg") reach.set(slot, [leaf.index]);
    this.argDeps = this.argSteps.map((s) => {
      const deps = new Set<number>();
      for (const i of Object.values(s.inputs)) for (const a of reach.get(i) ?? []) deps.add(a);
      const sorted = [...deps].sort((x, y) => x - y);
      for (const o of s.outputs) reach.set(o, sorted);
      return sorted;
    });
    const madeBy = new Map<number, number>();
    this.argSteps.forEach((s, k) => s.outputs.forEach((o) => madeBy.set(o, k)));
    const read = new Set<number>([output]);
    for (const s of this.paramSteps) for (const i of Object.values(s.inputs)) read.add(i);
    this.argSteps.forEach((s, k) => {
      for (const i of Object.values(s.inputs)) {
        const maker = madeBy.get(i);
        if (maker !== undefined && this.argDeps[maker]!.length < this.argDeps[k]!.length) read.add(i);
      }
    });
    this.frontier = [...read].filter((slot) => madeBy.has(slot));
  }

  /** How many kernels and custom ops a replay runs. */
  get size(): number {
    return this.steps.length;
  }

  /** The variables the program reads (a disposed one means the program is stale). */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const leaf of this.leaves.values()) if (leaf.kind === "variable") out.push(leaf.variable);
    return out;
  }

  /** Whether the argument tensors hold the values the recording read from them. */
  sameReadValues(args: readonly tf.Tensor[]): boolean {
    if (this.keptFor !== undefined && sameTensors(this.keptFor, args)) return true; // immutable: checked when kept
    for (const r of this.readArgs) {
      const now = args[r.index]!.dataSync();
      if (now.length !== r.values.length) return false;
      for (let i = 0; i < now.length; i++) if (now[i] !== r.values[i]) return false;
    }
    return true;
  }

  /** Replay with `args` (the call's tensor arguments, in signature order); the loss belongs to the caller's scope. */
  run(args: readonly tf.Tensor[]): tf.Tensor {
    const values = new Array<tf.Tensor>(this.slotCount);
    // the stream moves as the interpreted call moves it: the seeds at the places it took them, and on to where it left it
    const seeds = seedsAhead(this.seeds.at, this.seeds.end);
    // (forEach, not for-of: a for-of over a map's entries made an iterator result and an entry array per entry)
    this.leaves.forEach((leaf, slot) => {
      values[slot] = leaf.kind === "variable" ? leaf.variable
        : leaf.kind === "arg" ? args[leaf.index]!
        : leaf.kind === "noise" ? noise(seeds[leaf.seed]!, leaf.make)
        : leaf.tensor;
    });
    const changed = this.changedArgs(args);
    if (changed !== undefined) this.keep(args, values, changed);
    this.kept.forEach((t, slot) => { values[slot] = t; });
    runSteps(this.paramSteps, values);
    const out = values[this.output]!;
    // an output made from the arguments alone is kept for the next call: the caller gets a handle of its own to
    // dispose, or a call with the very same tensors would find it disposed; a reshape to its own shape shares the
    // data on every backend (a clone copies it on wasm)
    return this.kept.get(this.output) === out ? tf.reshape(out, out.shape) : out;
  }

  /** Which arguments are not the tensors the kept values were made from (all, before any): undefined when none. */
  private changedArgs(args: readonly tf.Tensor[]): boolean[] | undefined {
    const was = this.keptFor;
    if (was !== undefined && sameTensors(was, args)) return undefined;
    return args.map((t, i) => was === undefined || was.length !== args.length || was[i] !== t || t.isDisposed);
  }

  /**
   * Run the argument-only steps a changed argument reaches, from the kept values of the others, and keep the
   * frontier's new values (outside any scope: they outlive the call).
   */
  private keep(args: readonly tf.Tensor[], values: tf.Tensor[], changed: readonly boolean[]): void {
    this.kept.forEach((t, slot) => { values[slot] = t; });
    const stale = this.argSteps.filter((_, k) => this.argDeps[k]!.some((a) => changed[a]));
    this.keptFor = undefined;
    const made = new Set(stale.flatMap((s) => s.outputs));
    const slots = this.frontier.filter((slot) => made.has(slot));
    const fresh = tf.tidy(() => {
      runSteps(stale, values);
      return slots.map((slot) => values[slot]!);
    });
    const old = slots.map((slot) => this.kept.get(slot));
    slots.forEach((slot, i) => this.kept.set(slot, tf.keep(fresh[i]!)));
    // (a value kept for two slots, an op that gave its input back, stays while either holds it)
    const held = new Set(this.kept.values());
    for (const t of old) if (t !== undefined && !held.has(t)) t.dispose();
    this.keptFor = [...args];
  }

  /** Release the constants the program keeps. */
  dispose(): void {
    for (const leaf of this.leaves.values()) if (leaf.kind === "constant") leaf.tensor.dispose();
    tf.dispose([...new Set(this.kept.values())]);
    this.kept.clear();
    this.keptFor = undefined;
  }
}

function sameTensors(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || b[i]!.isDisposed) return false;
  return true;
}

function runSteps(steps: readonly Step[], values: tf.Tensor[]): void {
  const engine = tf.engine() as unknown as EngineReplay;
  // with no tape (a decode, or a loss evaluated without its gradient) a custom op's function is called as it is: the
  // engine's wrapper would only make it a kernel node for a tape (its own scope, closures, the inputs' checks), and
  // its intermediates go with the replay's scope; a recording in progress (recorder.ts shadows the engine's
  // customGrad, an own property) must see the op as the engine runs it
  const viaEngine = engine.isTapeOn() || Object.prototype.hasOwnProperty.call(engine, "customGrad");
  for (const step of steps) {
    let out: tf.Tensor | tf.Tensor[];
    if (step.kind === "kernel") {
      const ins = step.inputs;
      let inputs: unknown;
      if (Array.isArray(ins)) inputs = ins.map((s: number) => values[s]!);
      else {
        const named: Record<string, tf.Tensor> = {};
        for (const key in ins) named[key] = values[(ins as Record<string, number>)[key]!]!;
        inputs = named;
      }
      out = engine.runKernelFunc({ kernelName: step.kernelName, inputs, attrs: step.attrs });
    } else if (viaEngine) {
      out = engine.customGrad(step.f)(...step.inputs.map((s) => values[s]!));
    } else {
      const f = step.f as (...args: unknown[]) => { value: tf.Tensor | tf.Tensor[] };
      out = f(...step.inputs.map((s) => values[s]!), saveNothing).value;
    }
    if (Array.isArray(out)) for (let i = 0; i < step.outputs.length; i++) values[step.outputs[i]!] = out[i]!;
    else values[step.outputs[0]!] = out;
  }
}
