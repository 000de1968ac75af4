/**
 * Record what one call of a loss computes, at tfjs's one chokepoint: every
 * kernel goes through `engine.runKernelFunc` (registered kernels by name,
 * custom-gradient ops with the forward function `engine.customGrad` made).
 * The pattern is runtime/tape-filter.ts's: the engine's methods shadowed on
 * the instance while `f` runs, the previous ones put back after.
 *
 * Each value carries the set of things it depends on (the tf.Variables, the
 * draws' noise, and each tensor argument): a kernel with none is constant and
 * is not recorded (its output is a constant leaf of the program: enumeration
 * aranges, masks made from JS values); a kernel with some is a step.
 *
 * Draws are inputs: the recorder watches ppl's random stream (rng.ts), and
 * each tensor a sampler made with `noise(seed, make)` from a seed the stream
 * gave in this call is a leaf that a replay makes again, `make` called with
 * the seed the stream gives in that place on the replay (every seed the call
 * took is taken again at the same place, past where the stream stood when the
 * call began, and the stream is left where the call left it: so the stream
 * moves as the interpreted step moves it, rewinds by sequential enumeration
 * included).
 *
 * The recording is refused (the call's result is still the interpreted one)
 * when a replay could differ from running the call again:
 * - a read in JS of a value that depends on a variable or a draw (it could
 *   steer control flow or become a constant); a read of one that depends
 *   only on arguments makes the program valid only for arguments with those
 *   values; reads by ppl's validation checks and inside custom ops
 *   (replayed) are not steering;
 * - noise a replay cannot make again: a tensor made from JS values while a
 *   site draws that `noise` did not make (samplers written in JS), noise
 *   from a seed that is not the stream's in this call (a `seed` handler),
 *   a `make` that uses a dependent tensor, a seed taken from the stream
 *   outside a site's draw that made no noise, a random kernel;
 * - a custom-gradient op whose function the recorder did not see made, or
 *   whose function or gradient function uses a dependent tensor it was not
 *   given (a closure capture: the replay would use the old one). The gradient
 *   function is run once at a unit gradient, or, for an op a param reaches
 *   under a gradient tape, watched when the call's backward pass runs it
 *   (gradient-checks.ts: the program replays only once every check ran).
 */
import * as tf from "@tensorflow/tfjs-core";
import { checkingInputs } from "../ops/kernel-io.js";
import { type RngObserver, isDrawing, observeRng, rngState } from "../rng.js";
import { inValidationCheck } from "../validation.js";
import { CLOSURE_CAPTURE, GradientChecks } from "./gradient-checks.js";
import { type Leaf, Program, type ReadArg, type Step } from "./program.js";

type Inputs = Record<string, tf.Tensor | null | undefined> | (tf.Tensor | null | undefined)[];

interface KernelParams {
  kernelName?: string;
  inputs?: Inputs;
  attrs?: unknown;
  forwardFunc?: unknown;
}

interface DataId { readonly __dataId?: never }

/** What a custom-gradient function returns (tf.customGrad's contract). */
interface CustomGradOutput {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

interface EngineInternals {
  state: { kernelDepth: number; gradientDepth: number };
  backend: { incRef(dataId: object): void };
  runKernelFunc(this: EngineInternals, params: KernelParams): tf.Tensor | tf.Tensor[];
  customGrad(this: EngineInternals, f: (...args: never[]) => unknown): (...inputs: tf.Tensor[]) => tf.Tensor;
  readSync(this: EngineInternals, dataId: DataId): unknown;
  read(this: EngineInternals, dataId: DataId): Promise<unknown>;
  makeTensor(this: EngineInternals, ...args: unknown[]): tf.Tensor;
  makeTensorFromTensorInfo(info: { dataId: object; shape: number[]; dtype: tf.DataType }): tf.Tensor;
}

const PATCHED = ["runKernelFunc", "customGrad", "readSync", "read", "makeTensor"] as const;

/** Kernels that draw (tfjs 4.x has one; its replay would repeat the draw's seed). */
const RANDOM_KERNELS = new Set(["Multinomial"]);

/** Dependency bits: bit 0 a tf.Variable, bit 1 a draw's noise, bit 2 + i the i-th tensor argument (arguments past the 29th share bit 31). */
const VARIABLE = 1;
const NOISE = 2;
const argBit = (i: number): number => 1 << (2 + Math.min(i, 29));
/** Values that change from one call to the next with the same arguments: a step that reads one runs on every replay. */
const PER_CALL = VARIABLE | NOISE;

/**
 * What a recording gave: the call's result, and the program or why there is none; with the program, the gradient
 * checks left to the call's backward pass (the program may be replayed only when none is unchecked or refused).
 */
export type Recording<T> =
  | { readonly result: T; readonly program: Program; readonly checks: GradientChecks; readonly refused?: undefined }
  | { readonly result: T; readonly program?: undefined; readonly checks?: undefined; readonly refused: string };

export interface RecordOptions {
  /** Run every custom op's gradient function at record time, none left to the backward pass. */
  readonly eagerGradients?: boolean;
}

/** Whether the engine has the methods the recorder shadows (tfjs 4.x); without them nothing is compiled. */
export function canRecord(): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  return PATCHED.every((m) => typeof engine[m] === "function") && typeof engine.makeTensorFromTensorInfo === "function"
    && typeof engine.state?.kernelDepth === "number" && typeof engine.backend?.incRef === "function";
}

let recording = false;
/** Ends the recording in progress (see {@link stopRecording}). */
let stopActive: ((reason: string) => void) | undefined;

/**
 * End the recording in progress, if there is one, refused for `reason`: the rest of the call runs unrecorded, as
 * an interpreted call runs. For a call whose program is known to be useless before it ends (a compiled loss's call
 * that creates a param: compiled-loss.ts drops its program), so it does not pay for recording the rest.
 */
export function stopRecording(reason: string): void {
  stopActive?.(reason);
}

/**
 * Run `f` (a loss call whose tensor arguments are `args`) and record the
 * program from its leaves to the tensor it returns.
 */
export function record(args: readonly tf.Tensor[], f: () => tf.Tensor, options: RecordOptions = {}): Recording<tf.Tensor> {
  if (recording) return { result: f(), refused: "a compiled loss was called while another one was being recorded" };
  if (!canRecord()) return { result: f(), refused: "this tfjs version's engine does not expose the methods the recorder needs (tfjs 4.x)" };
  const engine = tf.engine() as unknown as EngineInternals;
  const own = Object.prototype.hasOwnProperty;
  const previous = PATCHED.map((m) => (own.call(engine, m) ? engine[m] : undefined));
  const base = engine.state.kernelDepth;
  const rec = new Recorder(engine, args, base, options.eagerGradients === true);
  const { runKernelFunc, customGrad, readSync, read, makeTensor } = engine;

  engine.customGrad = function (fn) {
    // the op runs `fn` through a wrapper that also checks its gradient function (the replay runs `fn` itself)
    let checkGradient = false;
    const checked = (...args: unknown[]): unknown => {
      const save = args[args.length - 1] as (ts: tf.Tensor[]) => void;
      let saved: tf.Tensor[] = [];
      const res = (fn as (...a: unknown[]) => CustomGradOutput)(...args.slice(0, -1), (ts: tf.Tensor[]) => {
        saved = ts;
        save(ts);
      });
      if (!checkGradient) return res;
      checkGradient = false;
      return rec.checkGradient(res, saved);
    };
    const op = customGrad.call(this, checked as typeof fn);
    return (...inputs) => {
      if (this.state.kernelDepth === base) {
        rec.pendingCustom = { f: fn, inputs };
        checkGradient = true;
      }
      return op(...inputs);
    };
  };
  engine.runKernelFunc = function (params) {
    return rec.kernel(params, () => runKernelFunc.call(this, params));
  };
  engine.readSync = function (dataId) {
    rec.read(dataId);
    return readSync.call(this, dataId);
  };
  engine.read = function (dataId) {
    rec.read(dataId);
    return read.call(this, dataId);
  };
  engine.makeTensor = function (...a) {
    rec.madeTensor(Array.isArray(a[1]) && a[1].length === 0);
    return makeTensor.apply(this, a);
  };
  const previousObserver = observeRng(rec);
  recording = true;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    PATCHED.forEach((m, i) => {
      if (previous[i] === undefined) delete (engine as Partial<EngineInternals>)[m];
      else (engine as unknown as Record<string, unknown>)[m] = previous[i];
    });
    observeRng(previousObserver);
    recording = false;
    stopActive = undefined;
  };
  stopActive = (reason) => {
    rec.refuse(reason);
    restore();
  };
  let result: tf.Tensor;
  try {
    result = f();
  } catch (err) {
    rec.discard();
    throw err;
  } finally {
    restore();
  }
  return rec.finish(result);
}

/** How a replay makes a draw's noise again: with the seed the stream gives in the place of the recorded call's seed number `seed`. */
interface Drawn {
  readonly seed: number;
  readonly make: (seed: number) => tf.Tensor;
}

class Recorder implements RngObserver {
  /** Why the program cannot be replayed (the first reason found). */
  private refusal: string | undefined;
  /** The dependency bits of each value, by data id (a reshape shares its input's data and dependencies). */
  private readonly deps = new Map<object, number>();
  private readonly argIndex = new Map<number, number>();
  /** Tensor id → slot, for the tensors a step made or a leaf that was seen. */
  private readonly slotOf = new Map<number, number>();
  private readonly leaves = new Map<number, Leaf>();
  private readonly steps: Step[] = [];
  private slots = 0;
  /**
   * The seeds the call took from the stream, in order: each one's label and its position past the stream's
   * position when the call began (a replay takes the seeds at the same places), and whether noise was made from it.
   */
  private readonly seeds: { readonly label: string; readonly offset: number; readonly inDraw: boolean; made: boolean }[] = [];
  /** The stream when the call began. */
  private readonly start = rngState();
  /** A seed's value → its place in `seeds`. */
  private readonly seedIndex = new Map<number, number>();
  /** Tensor id → the noise it holds. */
  private readonly drawn = new Map<number, Drawn>();
  /** While a sampler's noise function runs. */
  private noiseDepth = 0;
  /** The site draws running (innermost last): whether each made noise, and whether it made a scalar from a JS value. */
  private readonly draws: { noise: boolean; scalar: boolean }[] = [];
  /** Dependency bits of the arguments the call read in JS. */
  private readBits = 0;
  /** A custom op made by `engine.customGrad` at the top level, about to reach runKernelFunc. */
  pendingCustom: { f: (...args: never[]) => unknown; inputs: tf.Tensor[] } | undefined;
  /** While a custom op's forward function runs: the data its inputs and its own kernels hold. */
  private inside: Set<object> | undefined;
  /** While a custom op at the top level runs: the dependency bits of its inputs. */
  private customBits = 0;
  /** The gradient check the custom op running now left to the backward pass, and each custom step's. */
  private deferredOp: object | undefined;
  private readonly deferredOf = new Map<Step, object>();
  readonly checks = new GradientChecks();

  constructor(
    private readonly engine: EngineInternals, private readonly args: readonly tf.Tensor[], private readonly base: number,
    private readonly eagerGradients: boolean,
  ) {
    args.forEach((t, i) => {
      if (!this.argIndex.has(t.id)) this.argIndex.set(t.id, i);
      this.deps.set(t.dataId, (this.deps.get(t.dataId) ?? 0) | argBit(i));
    });
  }

  refuse(reason: string): void {
    this.refusal ??= reason;
  }

  seed(label: string, seed: number, inDraw: boolean, at: number): void {
    if (rngState().seed !== this.start.seed || at < this.start.counter) {
      this.refuse("the call reseeded ppl's random stream or took it back to before the call (setRngSeed, restoreRngState): a replay cannot take its seeds");
    }
    this.seedIndex.set(seed, this.seeds.length);
    this.seeds.push({ label, offset: at - this.start.counter, inDraw, made: false });
  }

  noise(seed: number, make: (seed: number) => tf.Tensor): tf.Tensor {
    const index = this.seedIndex.get(seed);
    if (index === undefined) {
      this.refuse("a draw's noise came from a seed that ppl's random stream did not give in this call (a `seed` handler, or a seed passed in): a replay would reuse the recorded noise");
    }
    this.noiseDepth++;
    let t: tf.Tensor;
    try {
      t = make(seed);
    } finally {
      this.noiseDepth--;
    }
    const draw = this.draws[this.draws.length - 1];
    if (draw !== undefined) draw.noise = true;
    if (index !== undefined) {
      this.seeds[index]!.made = true;
      this.deps.set(t.dataId, NOISE);
      this.drawn.set(t.id, { seed: index, make });
    }
    return t;
  }

  generator(): void {
    if (this.noiseDepth === 0) {
      this.refuse("a sampler drew with ppl's JS generator outside noise() (a sampler written in JS, such as Gamma's or Poisson's): a replay would reuse the recorded draw");
    }
  }

  drawStart(): void {
    this.draws.push({ noise: false, scalar: false });
  }

  drawEnd(): void {
    const draw = this.draws.pop();
    // a scalar made from a JS value is an op's constant (`u.mul(Math.PI / 2)`) in a draw that made its noise; in one
    // that made none it may be the draw itself (a scalar site's tf.randomUniform([], ...))
    if (draw !== undefined && draw.scalar && !draw.noise) this.refuseJsDraw();
  }

  /** A tensor made from JS values (`scalar`: rank 0); one made at the top level of a site's draw, not by noise(), may be a draw a replay cannot make again. */
  madeTensor(scalar: boolean): void {
    if (!isDrawing() || this.noiseDepth > 0 || this.engine.state.kernelDepth !== this.base) return;
    if (!scalar) this.refuseJsDraw();
    const draw = this.draws[this.draws.length - 1];
    if (draw !== undefined) draw.scalar = true;
  }

  private refuseJsDraw(): void {
    this.refuse("a site drew a value made from JS values that ppl's noise (rng.ts) did not make (a sampler written in JS, or tfjs's random ops called directly): a replay would reuse the recorded draw");
  }

  private refuseDependentNoise(): void {
    this.refuse("a sampler's noise function (rng.ts noise) used a value that depends on a param, an argument or another draw: a replay would make the noise from the recorded one");
  }

  private depsOf(t: tf.Tensor): number {
    if (t instanceof tf.Variable && !this.argIndex.has(t.id)) {
      this.deps.set(t.dataId, VARIABLE);
      return VARIABLE;
    }
    return this.deps.get(t.dataId) ?? 0;
  }

  kernel(params: KernelParams, run: () => tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const depth = this.engine.state.kernelDepth;
    if (params.kernelName !== undefined && RANDOM_KERNELS.has(params.kernelName)) {
      this.refuse(`the call ran tfjs's random kernel ${params.kernelName}: a replay would repeat its draw`);
    }
    if (this.noiseDepth > 0) {
      // inside a noise function: its kernels make the noise from the seed alone (not steps)
      for (const t of inputList(params.inputs)) if (this.depsOf(t) !== 0) this.refuseDependentNoise();
      return run();
    }
    if (depth !== this.base) return this.innerKernel(params, run);
    const custom = params.kernelName === undefined ? this.pendingCustom : undefined;
    this.pendingCustom = undefined;
    const ins = inputList(params.inputs);
    let bits = 0;
    for (const t of ins) bits |= this.depsOf(t);
    if (params.kernelName === undefined && custom === undefined && bits !== 0) {
      this.refuse("a custom-gradient op was made outside the call (tf.customGrad(f) kept from an earlier call): the recorder cannot replay it");
    }
    let out: tf.Tensor | tf.Tensor[];
    if (params.kernelName === undefined) {
      // a custom op's forward function: the kernels inside it are replayed with it, and must use only its inputs
      const outer = this.inside;
      this.inside = new Set(ins.map((t) => t.dataId));
      this.customBits = bits;
      this.deferredOp = undefined;
      try {
        out = run();
      } finally {
        this.inside = outer;
      }
    } else {
      out = run();
    }
    if (bits === 0) return out; // a constant: its outputs are leaves where a step uses them
    const outs = Array.isArray(out) ? out : [out];
    const outputs = outs.map((t) => {
      const slot = this.slots++;
      this.slotOf.set(t.id, slot);
      this.deps.set(t.dataId, (this.deps.get(t.dataId) ?? 0) | bits);
      return slot;
    });
    if (custom !== undefined) {
      const step: Step = { kind: "custom", f: custom.f, inputs: custom.inputs.map((t) => this.slotFor(t)), outputs, perCall: (bits & PER_CALL) !== 0 };
      this.steps.push(step);
      if (this.deferredOp !== undefined) this.deferredOf.set(step, this.deferredOp);
    } else {
      const inputs = params.inputs!;
      const slots = Array.isArray(inputs)
        ? inputs.map((t) => this.slotFor(t!))
        : Object.fromEntries(Object.entries(inputs).filter(([, t]) => t != null).map(([k, t]) => [k, this.slotFor(t!)]));
      this.steps.push({ kind: "kernel", kernelName: params.kernelName!, inputs: slots, attrs: params.attrs, outputs, perCall: (bits & PER_CALL) !== 0 });
    }
    return out;
  }

  /** A kernel inside another (a custom op's forward function, or a kernel's own use of the engine): not a step. */
  private innerKernel(params: KernelParams, run: () => tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const inside = this.inside;
    if (inside === undefined) return run();
    for (const t of inputList(params.inputs)) this.checkInside(inside, t.dataId);
    const out = run();
    for (const t of Array.isArray(out) ? out : [out]) inside.add(t.dataId);
    return out;
  }

  /**
   * Check a recorded custom op's gradient function: like the forward
   * function, it must use only the op's inputs, its output, what it saved and
   * dy (the replay's backward pass runs the new call's gradient function,
   * with its own closure). Run once, at a unit dy, inside its forward run; or,
   * for an op a param reaches while a gradient tape is on (the tape keeps it:
   * its gradient runs in this call's backward pass), watched then
   * (gradient-checks.ts), the op's gradient function returned wrapped.
   */
  checkGradient(res: CustomGradOutput, saved: readonly tf.Tensor[]): CustomGradOutput {
    const inside = this.inside;
    if (inside === undefined) return res;
    inside.add(res.value.dataId);
    for (const t of saved) inside.add(t.dataId);
    if (!this.eagerGradients && (this.customBits & VARIABLE) !== 0 && this.engine.state.gradientDepth > 0) {
      const dependent = (dataId: object) => (this.deps.get(dataId) ?? 0) !== 0;
      const { op, gradFunc } = this.checks.defer(this.engine, inside, dependent, res.gradFunc);
      this.deferredOp = op;
      return { value: res.value, gradFunc };
    }
    tf.tidy(() => {
      const dy = tf.onesLike(res.value);
      inside.add(dy.dataId);
      try {
        // the ops' JS kernels run as checks of their inputs only (kernel-io.ts)
        checkingInputs((t) => this.checkInside(inside, t.dataId), () => res.gradFunc(dy, [...saved]));
      } catch {
        this.refuse("a custom-gradient op's gradient function failed when the recorder ran it once at a unit gradient");
      }
    });
    return res;
  }

  private checkInside(inside: ReadonlySet<object>, dataId: object): void {
    if (!inside.has(dataId) && (this.deps.get(dataId) ?? 0) !== 0) this.refuse(CLOSURE_CAPTURE);
  }

  read(dataId: DataId): void {
    if (inValidationCheck()) return;
    if (this.noiseDepth > 0) {
      if ((this.deps.get(dataId) ?? 0) !== 0) this.refuseDependentNoise();
      return;
    }
    if (this.engine.state.kernelDepth !== this.base) {
      if (this.inside !== undefined) this.checkInside(this.inside, dataId);
      return;
    }
    const bits = this.deps.get(dataId) ?? 0;
    if ((bits & VARIABLE) !== 0) {
      this.refuse("the model or guide read a value that depends on a param in JS (dataSync, arraySync, data): it could steer control flow or become a constant, so the call cannot be replayed");
    }
    if ((bits & NOISE) !== 0) {
      this.refuse("the model or guide read a value that depends on a draw in JS (dataSync, arraySync, data; a sequential plate's subsample): it could steer control flow or become a constant, so the call cannot be replayed");
    }
    this.readBits |= bits & ~PER_CALL;
  }

  /** The slot of a step's input: a step's output, or a new leaf. */
  private slotFor(t: tf.Tensor): number {
    const known = this.slotOf.get(t.id);
    if (known !== undefined) return known;
    const slot = this.slots++;
    this.slotOf.set(t.id, slot);
    const arg = this.argIndex.get(t.id);
    if (arg !== undefined) this.leaves.set(slot, { kind: "arg", index: arg });
    else if (t instanceof tf.Variable) this.leaves.set(slot, { kind: "variable", variable: t });
    else {
      const drawn = this.drawn.get(t.id);
      this.leaves.set(slot, drawn !== undefined ? { kind: "noise", ...drawn } : { kind: "constant", tensor: this.share(t) });
    }
    return slot;
  }

  /** A kept tensor on `t`'s data (counted by the backend, as a reshape's output is): it outlives the call's scopes. */
  private share(t: tf.Tensor): tf.Tensor {
    const kept = this.engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    this.engine.backend.incRef(t.dataId);
    return tf.keep(kept);
  }

  discard(): void {
    for (const leaf of this.leaves.values()) if (leaf.kind === "constant") leaf.tensor.dispose();
  }

  finish(result: tf.Tensor): Recording<tf.Tensor> {
    const end = rngState();
    if (end.seed !== this.start.seed || end.counter < this.start.counter) {
      this.refuse("the call reseeded ppl's random stream or took it back to before the call (setRngSeed, restoreRngState): a replay cannot take its seeds");
    }
    const unmade = this.seeds.find((s) => !s.inDraw && !s.made);
    if (unmade !== undefined) {
      this.refuse(`the call took a seed from ppl's random stream outside a site's draw (for '${unmade.label}') and made no noise from it that a replay can make again (rng.ts noise): a replay would reuse what it made`);
    }
    const output = this.slotOf.get(result.id);
    if (this.refusal === undefined && (output === undefined || this.leaves.has(output))) {
      this.refuse("the result (the loss, or the decoded values) does not depend on any param or argument tensor");
    }
    if (this.refusal !== undefined) {
      this.discard();
      return { result, refused: this.refusal };
    }
    // only the steps the loss depends on (a validation check's kernels, a side run's, are dropped)
    const live = new Set<number>([output!]);
    const kept: Step[] = [];
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i]!;
      if (!step.outputs.some((s) => live.has(s))) continue;
      kept.push(step);
      for (const s of Object.values(step.inputs)) live.add(s);
    }
    kept.reverse();
    // a dropped step's gradient need not be checked (its op is not replayed)
    const keptSteps = new Set(kept);
    for (const [step, op] of this.deferredOf) if (!keptSteps.has(step)) this.checks.drop(op);
    const leaves = new Map<number, Leaf>();
    for (const [slot, leaf] of this.leaves) {
      if (live.has(slot)) leaves.set(slot, leaf);
      else if (leaf.kind === "constant") leaf.tensor.dispose();
    }
    const readArgs: ReadArg[] = [];
    this.args.forEach((t, i) => {
      if ((this.readBits & argBit(i)) !== 0) readArgs.push({ index: i, values: Array.from(t.dataSync()) });
    });
    const seeds = { at: this.seeds.map(({ label, offset }) => ({ label, offset })), end: end.counter - this.start.counter };
    return { result, program: new Program(leaves, kept, output!, this.slots, readArgs, seeds), checks: this.checks };
  }
}

function inputList(inputs: Inputs | undefined): tf.Tensor[] {
  if (inputs == null) return [];
  const out: tf.Tensor[] = [];
  for (const t of Object.values(inputs)) if (t != null) out.push(t);
  return out;
}
