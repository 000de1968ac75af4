/**
 * AutoMultivariateNormal: a full-covariance Normal over the whole
 * unconstrained latent vector (Pyro's params `AutoMultivariateNormal.loc`,
 * `AutoMultivariateNormal.scale_tril`, a lower Cholesky factor).
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

/** Options of {@link AutoMultivariateNormal}: the init strategy (default `initToMedian`), the initial scale (default 0.1) and the `name` its params start with (default: the class name). */
export type AutoMultivariateNormalOptions = z.input<typeof options>;

/**
 * A multivariate-Normal guide over every latent site at once: it learns the
 * posterior correlations between all latent coordinates (D² params).
 *
 * ```ts
 * const guide = new AutoMultivariateNormal(model);
 * // ... SVI ...
 * const { beta } = guide.quantiles([0.05, 0.5, 0.95], x, y); // beta: [3, ...shape of beta]
 * ```
 */
export class AutoMultivariateNormal<A extends unknown[]> extends AutoContinuous<A> {
  protected readonly prefix = "AutoMultivariateNormal";
  /** The initial scale (the Cholesky factor starts at initScale times the identity). */
  declare readonly initScale: number;

  /**
   * @param model the model (block it to the sites this guide should cover)
   * @param opts {@link AutoMultivariateNormalOptions}
   */
  constructor(model: Model<A>, opts: AutoMultivariateNormalOptions = {}) {
    const o = parseOptions("AutoMultivariateNormal", options, opts);
    super(model, o.initLocFn ?? initToMedian(), o.name);
    Object.defineProperty(this, "initScale", { value: o.initScale });
  }

  protected *latentPosterior(D: number, initLoc: () => tf.Tensor): ModelGenerator<LatentPosterior> {
    const loc = yield* param(this.paramName("loc"), initLoc);
    const scaleTril = yield* param(this.paramName("scale_tril"), () => tf.eye(D).mul(this.initScale), {
      constraint: constraints.lowerCholesky,
    });
    const q = dist.MultivariateNormal(loc, { scaleTril });
    return {
      sample: (shape, seed) => q.sample(shape, seed),
      logProb: (x) => q.logProb(x),
      loc,
      marginalScale: scaleTril.square().sum(-1).sqrt(),
      covariance: () => scaleTril.matMul(scaleTril, false, true),
    };
  }
}
