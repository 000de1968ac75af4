/**
 * Stochastic variational inference: each `step` computes the loss and its
 * gradient w.r.t. every param in the ParamStore the model or guide touched,
 * then lets the optimiser update them. Every tensor a step makes is disposed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { isReady } from "../backend.js";
import { PPLConfigError, PPLError, PPLModelError, PPLNumericalError } from "../errors.js";
import type { Optimizer } from "../optim/optimizer.js";
import { getParamStore } from "../params/param-store.js";
import type { Model } from "../runtime/messages.js";
import { recordingOnlyFrom } from "../runtime/tape-filter.js";
import { relativeLossChange } from "./convergence.js";
import { findNonFiniteSite } from "./diagnose.js";
import type { ELBO } from "./elbo.js";
import { ProgressBar } from "./progress.js";
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
  }

  /** One gradient step; returns the loss before the update. */
  step(...args: A): number {
    requireBackend();
    const store = getParamStore();
    const f = () => this.loss.differentiableLoss(this.model, this.guide, ...args);
    const known = store.names().length;
    let result = this.gradients(f);
    // Params created during this step (first call of a guide) had no gradient yet: redo once.
    // (`undefined`: no param known before the step reached the loss, but new ones were made.)
    if (result === undefined || store.names().length !== known) {
      if (result !== undefined) tf.dispose([result.value, ...result.grads.values()]);
      result = this.gradients(f);
      if (result === undefined) throw nothingToLearn();
    }
    if (store.names().length === 0) {
      tf.dispose([result.value, ...result.grads.values()]);
      throw nothingToLearn();
    }
    const lossValue = result.value.dataSync()[0]!;
    if (!Number.isFinite(lossValue)) {
      tf.dispose([result.value, ...result.grads.values()]);
      this.raiseNonFinite(lossValue, args);
    }
    this.optim.apply(result.grads, store.variables());
    tf.dispose([result.value, ...result.grads.values()]);
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
    const bar = o.progress === false ? undefined : new ProgressBar(numSteps, o.progress === true ? {} : o.progress);
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
    const v = tf.tidy(() => this.loss.differentiableLoss(this.model, this.guide, ...args).dataSync()[0]!);
    if (!Number.isFinite(v)) this.raiseNonFinite(v, args);
    return v;
  }

  /** The loss and its gradients, or undefined when none of the params known beforehand reaches it but the step made new ones. */
  private gradients(f: () => tf.Scalar): { value: tf.Scalar; grads: Map<string, tf.Tensor> } | undefined {
    const variables = getParamStore().variables();
    if (variables.size === 0) return { value: tf.tidy(f), grads: new Map() };
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
        throw nothingToLearn();
      }
      throw err;
    }
    const { value, grads } = out;
    const named = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) named.set(byVarName.get(varName)!, g);
    return { value, grads: named };
  }

  private raiseNonFinite(value: number, args: A): never {
    const where = findNonFiniteSite(this.model, this.guide, args);
    throw new PPLNumericalError(
      `SVI: the loss is ${value}. ${where?.text ?? "No single site's log-density is non-finite; check the params (getParamStore().values())."}\n` +
        "Try one of the following fixes:\n" +
        "- lower the learning rate, or use ClippedAdam to clip gradients\n" +
        "- check that the guide's values lie in the support of the model's distributions (use constraints on params)\n" +
        "- check the data for extreme values, and the initial values of the params",
      { site: where?.site, expected: "a finite loss", actual: String(value) },
    );
  }
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

function nothingToLearn(): PPLModelError {
  const names = getParamStore().names();
  return new PPLModelError(
    "SVI.step: the loss does not depend on any param, so there is nothing to learn: neither the model nor the guide " +
      "called param(...) during the step" +
      (names.length > 0 ? ` (the ParamStore holds ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}, but this loss uses none of them)` : "") +
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
