/**
 * AutoLowRankMultivariateNormal: a Normal over the whole unconstrained latent
 * vector whose covariance is low rank plus diagonal, W Wᵀ + diag(s²) with
 * W = cov_factor · diag(s) (Pyro's params `AutoLowRankMultivariateNormal.loc`,
 * `.scale` and `.cov_factor`, [D, rank]).
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, constraints, dist, nextSeed, param } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import * as z from "zod/mini";
import { nameOption } from "./auto-guide.js";
import { AutoContinuous, type LatentPosterior } from "./auto-continuous.js";
import { type InitLocFn, initToMedian } from "./init-strategies.js";

const options = z.strictObject({
  initLocFn: z.optional(z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor")),
  initScale: z._default(z.number().check(z.positive()), 0.1),
  rank: z.optional(z.int().check(z.positive())),
  ...nameOption,
});

/**
 * Options of {@link AutoLowRankMultivariateNormal}: the init strategy (default
 * `initToMedian`), the initial scale (default 0.1), the rank of the
 * low-rank part (default about √D) and the `name` its params start with
 * (default: the class name).
 */
export type AutoLowRankMultivariateNormalOptions = z.input<typeof options>;

/**
 * A low-rank-plus-diagonal multivariate-Normal guide over every latent site
 * at once: D·(rank + 2) params instead of D², and still correlated.
 *
 * ```ts
 * const guide = new AutoLowRankMultivariateNormal(model, { rank: 2 });
 * ```
 */
export class AutoLowRankMultivariateNormal<A extends unknown[]> extends AutoContinuous<A> {
  protected readonly prefix = "AutoLowRankMultivariateNormal";
  /** The approximate initial scale of every unconstrained coordinate. */
  declare readonly initScale: number;
  declare private requestedRank: number | undefined;

  /**
   * @param model the model (block it to the sites this guide should cover)
   * @param opts {@link AutoLowRankMultivariateNormalOptions}
   */
  constructor(model: Model<A>, opts: AutoLowRankMultivariateNormalOptions = {}) {
    const o = parseOptions("AutoLowRankMultivariateNormal", options, opts);
    super(model, o.initLocFn ?? initToMedian(), o.name);
    Object.defineProperty(this, "initScale", { value: o.initScale });
    Object.defineProperty(this, "requestedRank", { value: o.rank });
  }

  /** The rank of the low-rank part: the option, or round(√D) (at least 1). */
  get rank(): number {
    return this.requestedRank ?? Math.max(1, Math.round(Math.sqrt(this.latentDim)));
  }

  protected *latentPosterior(D: number, initLoc: () => tf.Tensor): ModelGenerator<LatentPosterior> {
    const r = this.rank;
    const loc = yield* param(this.paramName("loc"), initLoc);
    const scale = yield* param(this.paramName("scale"), () => tf.fill([D], Math.SQRT1_2 * this.initScale), {
      constraint: constraints.positive,
    });
    // random, so that on average cov_factor·cov_factorᵀ has the scale of the diagonal (as Pyro's init)
    const covFactor = yield* param(this.paramName("cov_factor"), () => tf.randomNormal([D, r], 0, 1 / Math.sqrt(r), "float32", nextSeed(this.paramName("cov_factor"))));
    const W = covFactor.mul(scale.expandDims(1));
    const covariance = () => W.matMul(W, false, true).add(tf.eye(D).mul(scale.square()));
    // the density through the full covariance: D is the size of one model's latent vector, factored once per step
    const q = dist.MultivariateNormal(loc, { covarianceMatrix: covariance() });
    return {
      sample: (shape, seed) => tf.tidy(() => {
        const eps = tf.randomNormal([...shape, D + r], 0, 1, "float32", seed);
        const flat = eps.reshape([-1, D + r]);
        const low = flat.slice([0, 0], [-1, r]).matMul(W, false, true);
        const diag = flat.slice([0, r], [-1, D]).mul(scale);
        return low.add(diag).add(loc).reshape([...shape, D]);
      }),
      logProb: (x) => q.logProb(x),
      loc,
      marginalScale: scale.mul(covFactor.square().sum(-1).add(1).sqrt()),
      covariance,
    };
  }
}
