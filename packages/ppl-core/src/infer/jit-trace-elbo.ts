/**
 * JitTrace_ELBO: TraceELBO compiled once per argument signature (see
 * docs/compiled.md): the first call records the step's kernels, later calls
 * replay them without running the model, the guide, their handlers or
 * validation. Same value and gradient as TraceELBO.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { CompiledLoss, type CompiledLossStats } from "../jit/compiled-loss.js";
import type { Model } from "../runtime/messages.js";
import { reportParams } from "./param-capture.js";
import { TraceELBO, type TraceELBOOptions } from "./trace-elbo.js";

/**
 * Pyro's JitTrace_ELBO: TraceELBO whose step is recorded on its first call
 * for each argument signature and replayed after, each draw's noise made
 * again from ppl's random stream (the same-seed interpreted run's draws). A
 * model that reads a param-dependent or drawn value in JS, or a sampler
 * written in JS, runs interpreted with a one-time message saying why
 * (docs/compiled.md).
 *
 * @example
 * const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new JitTraceELBO());
 */
export class JitTraceELBO extends TraceELBO {
  private readonly compiled = new CompiledLoss("JitTraceELBO");

  constructor(options: TraceELBOOptions = {}) {
    super(options);
  }

  override differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar {
    return compiledCall(this.compiled, model, guide, args, (m, g) => super.differentiableLoss(m, g, ...args));
  }

  /** How many calls recorded a program, replayed one, or ran interpreted. */
  get compileStats(): Readonly<CompiledLossStats> {
    return this.compiled.stats;
  }

  /** Release the recorded programs' constants (the next call records again). */
  dispose(): void {
    this.compiled.dispose();
  }
}

/** A compiled loss call that reports a replay's params to SVI's capture, as running the model would have. */
export function compiledCall<A extends unknown[]>(
  compiled: CompiledLoss, model: Model<A>, guide: Model<A>, args: A, loss: (model: Model<A>, guide: Model<A>) => tf.Scalar,
): tf.Scalar {
  const { value, replayedParams } = compiled.call(model, guide, args, loss);
  if (replayedParams !== undefined) {
    reportParams(model as Model<never>, replayedParams);
    reportParams(guide as Model<never>, replayedParams);
  }
  return value;
}
