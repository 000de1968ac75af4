/**
 * AutoDiagonalNormal: a Normal with diagonal covariance over the whole
 * unconstrained latent vector (Pyro's params `AutoDiagonalNormal.loc`,
 * `AutoDiagonalNormal.scale`). Mean-field: it cannot represent correlations.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, constraints, dist, param } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import * as z from "zod/mini";
import { nameOption } from "./auto-guide.js";
import { AutoContinuous, type LatentPosterior } from "./auto-continuous.js";
import { type InitLocFn, initToMedian } from "./init-strategies.js";

const options = z.strictObject({
  initLocFn: z.optional(z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor")),
  initScale: z._default(z.number().check(z.positive()), 0.1),
  ...nameOption,
});

/** Options of {@link AutoDiagonalNormal}: the init strategy (default `initToMedian`), the initial scale (default 0.1) and the `name` its params start with (default: the class name). */
export type AutoDiagonalNormalOptions = z.input<typeof options>;

/**
 * A diagonal-Normal guide over every latent site at once.
 *
 * ```ts
 * const guide = new AutoDiagonalNormal(model);
 * const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceELBO());
 * ```
 */
export class AutoDiagonalNormal<A extends unknown[]> extends AutoContinuous<A> {
  protected readonly prefix = "AutoDiagonalNormal";
  /** The initial scale of every unconstrained coordinate. */
  declare readonly initScale: number;

  /**
   * @param model the model (block it to the sites this guide should cover)
   * @param opts {@link AutoDiagonalNormalOptions}
   */
  constructor(model: Model<A>, opts: AutoDiagonalNormalOptions = {}) {
    const o = parseOptions("AutoDiagonalNormal", options, opts);
    super(model, o.initLocFn ?? initToMedian(), o.name);
    Object.defineProperty(this, "initScale", { value: o.initScale });
  }

  protected *latentPosterior(D: number, initLoc: () => tf.Tensor): ModelGenerator<LatentPosterior> {
    const loc = yield* param(this.paramName("loc"), initLoc);
    const scale = yield* param(this.paramName("scale"), () => tf.fill([D], this.initScale), { constraint: constraints.positive });
    const q = dist.Normal(loc, scale).toEvent(1);
    return {
      sample: (shape, seed) => q.sample(shape, seed),
      logProb: (x) => q.logProb(x),
      loc,
      marginalScale: scale,
      covariance: () => tf.eye(D).mul(scale.square()),
    };
  }
}
