/**
 * JitTraceEnum_ELBO: TraceEnumELBO compiled once per argument signature (see
 * docs/compiled.md): the first call records the step's kernels (the fused
 * chain op and the contractions among them), later calls replay them without
 * enumerating, collecting terms or planning. Same value and gradient as
 * TraceEnumELBO.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { CompiledLossStats, Model } from "ppl-core";
import { CompiledLoss, compiledCall } from "ppl-core/internal";
import { TraceEnumELBO, type TraceEnumELBOOptions } from "./trace-enum-elbo.js";

/**
 * Pyro's JitTraceEnum_ELBO: TraceEnumELBO whose step is recorded on its first
 * call for each argument signature and replayed after, each draw's noise made
 * again from ppl's random stream. A model that reads a param-dependent or
 * drawn value in JS, or a sampler written in JS, runs interpreted with a
 * one-time message saying why (docs/compiled.md).
 *
 * @example
 * const elbo = new JitTraceEnumELBO({ maxPlateNesting: 1 });
 * const svi = new SVI(model, new AutoDelta(block(model, { expose: ["locs", "scales"] })), new Adam({ lr: 0.05 }), elbo);
 */
export class JitTraceEnumELBO extends TraceEnumELBO {
  private readonly compiled = new CompiledLoss("JitTraceEnumELBO");

  constructor(options: TraceEnumELBOOptions = {}) {
    super(options);
  }

  override differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar {
    return compiledCall(this.compiled, model, guide, args, (m, g) => super.differentiableLoss(m, g, ...args));
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
