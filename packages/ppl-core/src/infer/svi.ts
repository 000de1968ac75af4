/**
 * Stochastic variational inference: each `step` computes the loss and its
 * gradient w.r.t. every param in the ParamStore the model or guide touched,
 * then lets the optimiser update them, unless the loss, a gradient or the
 * update itself is not finite (then nothing is written and the error says
 * why; docs/errors.md). Every tensor a step makes is disposed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { isReady } from "../backend.js";
import { PPLConfigError, PPLError, PPLModelError, PPLNumericalError } from "../errors.js";
import type { LearningRateOptimizer, Optimizer } from "../optim/optimizer.js";
import { getParamStore } from "../params/param-store.js";
import type { Model } from "../runtime/messages.js";
import { recordingOnlyFrom } from "../runtime/tape-filter.js";
import { type RngState, rngState } from "../rng.js";
import { relativeLossChange } from "./convergence.js";
import { findNonFiniteSite } from "./diagnose.js";
import { type InvalidUpdate, allFinite, invalidUpdates } from "./update-check.js";
import type { ELBO } from "./elbo.js";
import { ParamCapture } from "./param-capture.js";
import { progressBar } from "./progress-option.js";
import { type SVIRunOptions, type SVIRunResult, parseRunOptions } from "./svi-run.js";

/**
 * Stochastic variational inference (Pyro's `SVI`): `step(...args)` takes one
 * optimiser step on the loss of `model` against `guide`; `run` takes many,
 * with a callback, early stopping and the loss history.
 *
 * @example
 * const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO());
 * const { losses } = svi.run(1000, [data], { tolerance: 1e-4 });
 */
export class SVI<A extends unknown[]> {
  constructor(
    /** The model: a generator function of the step's arguments. */
    readonly model: Model<A>,
    /** The guide: a generator function of the same arguments (an autoguide, or hand-written). */
    readonly guide: Model<A>,
    /** The optimiser (or an lr scheduler wrapping one) that updates the params. */
    readonly optim: Optimizer,
    /** The objective, such as TraceELBO or TraceEnumELBO. */
    readonly loss: ELBO,
  ) {
    if (typeof model !== "function" || typeof guide !== "function") {
      throw new PPLConfigError("SVI(model, guide, optim, loss): model and guide must be generator functions");
    }
    if (optim === undefined || typeof (optim as Optimizer).apply !== "function") {
      throw new PPLConfigError("SVI(model, guide, optim, loss): optim must be an optimiser such as new Adam({ lr })");
    }
    if (loss === undefined || typeof (loss as ELBO).differentiableLoss !== "function") {
      throw new PPLConfigError("SVI(model, guide, optim, loss): loss must be an ELBO such as new TraceELBO()");
    }
    this.tracedModel = this.capture.wrap(model);
    this.tracedGuide = this.capture.wrap(guide);
  }

  /** The params each step's traces contain. */
  private readonly capture = new ParamCapture();
  private readonly tracedModel: Model<A>;
  private readonly tracedGuide: Model<A>;
  /** Updates applied so far (for messages). */
  private steps = 0;
  /** Where the RNG stood when the current step's loss began: the diagnosis redraws from there. */
  private stepStart: RngState = rngState();

  /** One gradient step; returns the loss before the update. */
  step(...args: A): number {
    requireBackend();
    const store = getParamStore();
    const known = store.names().length;
    let result = this.gradients(args);
    // Params created during this step (first call of a guide) had no gradient yet: redo once.
    // (`undefined`: no param known before the step reached the loss, but new ones were made.)
    if (result === undefined || store.names().length !== known) {
      if (result !== undefined) disposeResult(result);
      result = this.gradients(args);
      if (result === undefined) throw nothingToLearn(this.capture.seen);
    }
    if (result.grads.size === 0) {
      disposeResult(result);
      throw nothingToLearn(this.capture.seen);
    }
    const [lossValue, gradCheck] = result.check;
    if (!Number.isFinite(lossValue) || !Number.isFinite(gradCheck)) {
      // nothing is applied: the params (and the optimiser's state) stay at their last finite values
      const err = this.nonFiniteError(lossValue, result, args);
      disposeResult(result);
      throw err;
    }
    try {
      // nothing is written if a new value, or the constrained value a site reads from it, would be invalid
      this.optim.apply(result.grads, store.variables(), (proposed) => {
        const bad = invalidUpdates(proposed);
        if (bad.length > 0) throw this.divergingUpdateError(lossValue, bad, proposed, args);
      });
    } finally {
      disposeResult(result);
    }
    this.steps++;
    return lossValue;
  }

  /**
   * Up to `numSteps` steps with the same `args`. Stops early when
   * `onStep(step, loss)` returns false, or with `tolerance` when the mean
   * loss of the last `window` steps changed by less than `tolerance`
   * relative to max(|mean|, 1) from the `window` before. Returns every
   * step's loss and why it stopped.
   */
  run(numSteps: number, args: A, options: SVIRunOptions = {}): SVIRunResult {
    const o = parseRunOptions(numSteps, args, options);
    const losses: number[] = [];
    const bar = progressBar(o.progress, numSteps);
    try {
      for (let i = 0; i < numSteps; i++) {
        const loss = this.step(...args);
        losses.push(loss);
        bar?.update(i, loss);
        if (o.onStep?.(i, loss) === false) return { losses, stoppedBy: "callback" };
        if (o.tolerance !== undefined) {
          const change = relativeLossChange(losses, o.window);
          if (change !== undefined && change < o.tolerance) return { losses, stoppedBy: "converged" };
        }
      }
      return { losses, stoppedBy: "steps" };
    } finally {
      bar?.close();
    }
  }

  /** The loss without a gradient step. */
  evaluateLoss(...args: A): number {
    requireBackend();
    const from = rngState();
    const v = tf.tidy(() => this.loss.differentiableLoss(this.model, this.guide, ...args).dataSync()[0]!);
    if (!Number.isFinite(v)) {
      const where = findNonFiniteSite(this.loss, this.model, this.guide, args, from);
      throw new PPLNumericalError(
        `SVI.evaluateLoss: the loss is ${v}. ${where?.text ?? "No single site's log-density is non-finite."}\n${FIXES}`,
        { site: where?.site, expected: "a finite loss", actual: String(v) },
      );
    }
    return v;
  }

  /**
   * The loss, the gradients of the params the step's traces contain, and
   * [loss, a sum that is finite only if every gradient is] read in one go;
   * undefined when none of the params known beforehand reaches the loss but
   * the step made new ones.
   */
  private gradients(args: A): StepResult | undefined {
    const variables = getParamStore().variables();
    this.capture.reset();
    this.stepStart = rngState();
    const f = () => this.loss.differentiableLoss(this.tracedModel, this.tracedGuide, ...args);
    if (variables.size === 0) {
      const value = tf.tidy(f);
      return { value, grads: new Map(), check: [value.dataSync()[0]!, 0] };
    }
    const byVarName = new Map([...variables].map(([name, v]) => [v.name, name]));
    let out: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      // inside a tidy so that the loss tfjs leaves behind when it throws below is released too
      // only kernels on a path from the params go on the tape (the model's data handling stays off it)
      const xs = [...variables.values()];
      out = tf.tidy(() => recordingOnlyFrom(xs, () => tf.variableGrads(f, xs)));
    } catch (err) {
      releaseAbandonedTape();
      // tfjs: "Cannot find a connection between any variable and the result of the loss function"
      if (err instanceof Error && !(err instanceof PPLError) && /Cannot find a connection/.test(err.message)) {
        if (getParamStore().variables().size !== variables.size) return undefined;
        throw nothingToLearn(this.capture.seen);
      }
      throw this.explainFailure(err);
    }
    const { value, grads } = out;
    // SVI learns the params its traces contain: one hidden by block keeps its value (Pyro's param_capture)
    const named = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) {
      const name = byVarName.get(varName)!;
      if (this.capture.seen.has(name)) named.set(name, g);
      else g.dispose();
    }
    // the gradients' finiteness read in JS: the optimiser reads every gradient next anyway, and reducing them
    // with tfjs ops cost two kernels a param and three more every step
    const finite = [...named.values()].every((g) => allFinite(g.dataSync()));
    return { value, grads: named, check: [value.dataSync()[0]!, finite ? 0 : NaN] };
  }

  /** The error for a step whose loss or some gradient is not finite: the site, the params, the lr. */
  private nonFiniteError(lossValue: number, result: StepResult, args: A): PPLNumericalError {
    const badGrads: string[] = [];
    for (const [name, g] of result.grads) {
      const data = g.dataSync();
      const i = data.findIndex((x) => !Number.isFinite(x));
      if (i >= 0) badGrads.push(`'${name}' (${data[i]} at element ${i})`);
    }
    const lossBad = !Number.isFinite(lossValue);
    const where = lossBad ? findNonFiniteSite(this.loss, this.model, this.guide, args, this.stepStart) : undefined;
    const grads = badGrads.length > 0 ? ` The gradient is not finite for param(s) ${badGrads.join(", ")}.` : "";
    const head = lossBad
      ? `SVI step ${this.steps}: the loss is ${lossValue}. ${where?.text ?? "No single site's log-density is non-finite."}${grads}`
      : `SVI step ${this.steps}: the loss is finite (${lossValue}) but${grads.replace(" The", " the")}`;
    return new PPLNumericalError(
      `${head}\nThe params were not updated: they keep the values of the last finite step.\n${this.fixes()}`,
      {
        site: where?.site ?? (badGrads.length > 0 ? [...result.grads.keys()].find((n) => badGrads[0]!.startsWith(`'${n}'`)) : undefined),
        expected: lossBad ? "a finite loss" : "finite gradients",
        actual: lossBad ? String(lossValue) : "NaN or infinite gradient",
      },
    );
  }

  /** The error for an update SVI refused because it would write a non-finite value (or one outside a constraint): the params, the site, the lr. */
  private divergingUpdateError(
    lossValue: number, bad: readonly InvalidUpdate[], proposed: ReadonlyMap<string, tf.Tensor>, args: A,
  ): PPLNumericalError {
    const where = findNonFiniteSite(this.loss, this.model, this.guide, args, this.stepStart, proposed);
    return new PPLNumericalError(
      `SVI step ${this.steps}: the loss (${lossValue}) and its gradients are finite, but the update would leave param(s) ` +
        `${bad.map((b) => b.text).join(", ")}: the step diverges. ` +
        (where === undefined ? "" : `With the new values, ${where.text.charAt(0).toLowerCase()}${where.text.slice(1)} `) +
        `\nNothing was written: the params and the optimiser's state keep the values of the last finite step.\n${this.fixes()}`,
      {
        site: where?.site ?? bad[0]!.name,
        expected: "finite params after the update",
        actual: bad.map((b) => b.name).join(", "),
      },
    );
  }

  /**
   * A PPL error thrown while the loss was computed after earlier updates
   * (typically a distribution refusing a parameter, such as a scale that
   * became Infinity) is explained as the divergence it is: which params
   * hold non-finite values and what lr moved them there.
   */
  private explainFailure(err: unknown): unknown {
    if (this.steps === 0 || !(err instanceof PPLError) || err instanceof PPLNumericalError) return err;
    const bad = nonFiniteParams(getParamStore().names());
    if (bad.length === 0) return err;
    const first = bad[0]!.slice(1, bad[0]!.indexOf("' ("));
    const e = new PPLNumericalError(
      `SVI step ${this.steps}: the loss cannot be computed: ${err.message}\nAfter ${this.steps} update(s), param(s) ${bad.join(", ")} ` +
        `hold values that are not finite or lie outside their constraint: the updates diverged.\n${this.fixes()}`,
      // the field names the first diverged param; the site that met it is in the message
      { site: first, expected: "finite params", actual: bad.join(", ") },
    );
    (e as { cause?: unknown }).cause = err;
    return e;
  }

  private fixes(): string {
    const lr = (this.optim as Partial<LearningRateOptimizer>).lr;
    const lower = typeof lr === "number" ? `lower the learning rate (lr is ${lr} now; try ${lr / 10})` : "lower the learning rate";
    return "Try one of the following fixes:\n" +
      `- ${lower}, or use ClippedAdam to clip gradients\n` +
      FIXES.slice(FIXES.indexOf("- check"));
  }
}

const FIXES =
  "Try one of the following fixes:\n" +
  "- lower the learning rate, or use ClippedAdam to clip gradients\n" +
  "- check that the guide's values lie in the support of the model's distributions (use constraints on params)\n" +
  "- check the data for extreme values, and the initial values of the params";

interface StepResult {
  readonly value: tf.Scalar;
  readonly grads: Map<string, tf.Tensor>;
  /** The loss, and 0 if every gradient is finite (else NaN or ±Infinity). */
  readonly check: readonly [number, number];
}

function disposeResult(r: StepResult): void {
  tf.dispose([r.value, ...r.grads.values()]);
}

/** `'name' (v at element i)` for each param among `names` whose constrained value has an entry that is non-finite or outside its constraint. */
function nonFiniteParams(names: Iterable<string>): string[] {
  const store = getParamStore();
  const out: string[] = [];
  for (const name of names) {
    const [data, ok] = tf.tidy(() => {
      const v = store.get(name);
      // a constraint's check is per event: broadcast it back over the value's entries
      const inSupport = store.constraint(name).check(v).cast("float32");
      return [v.dataSync(), tf.broadcastTo(inSupport.reshape([...inSupport.shape, ...v.shape.slice(inSupport.rank).map(() => 1)]), v.shape).dataSync()];
    });
    const i = data.findIndex((x, j) => !Number.isFinite(x) || ok[j] === 0);
    if (i >= 0) out.push(`'${name}' (${data[i]} at element ${i})`);
  }
  return out;
}

interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tfjs keeps (clones of) the tensors each kernel saves for the backward pass
 * on the gradient tape, and disposes them only when the backward pass runs.
 * When the loss function throws, it never runs and the next step starts a
 * new tape, so those tensors would leak for good: release them here.
 */
function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

function nothingToLearn(seen: ReadonlySet<string>): PPLModelError {
  const names = getParamStore().names();
  const hidden = names.filter((n) => !seen.has(n));
  return new PPLModelError(
    "SVI.step: the loss does not depend on any param, so there is nothing to learn: neither the model nor the guide " +
      "called param(...) during the step" +
      (names.length > 0 ? ` (the ParamStore holds ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}, but this loss uses none of them)` : "") +
      (seen.size === 0 && hidden.length > 0 ? "; params hidden by block(...) are not learned" : "") +
      ".\nFix:\n" +
      "- make the guide learnable: param(...) in a hand-written guide, or an autoguide such as new AutoDelta(model)\n" +
      "- check the guide is not a generator that returns before yielding its sites\n" +
      "- to only evaluate the loss, use svi.evaluateLoss(...)",
    { expected: "at least one param in the model or guide", actual: "no param" },
  );
}

function requireBackend(): void {
  if (!isReady()) {
    throw new PPLConfigError("SVI: the tfjs backend is not ready: `await ready()` (from ppl-core) before the first step", {
      expected: "ready() awaited",
      actual: "the backend is not ready",
    });
  }
}
