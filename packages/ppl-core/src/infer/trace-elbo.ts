/**
 * Trace_ELBO: the Monte Carlo ELBO from one (or more) guide draws, with a
 * score-function term for guide sites that cannot be reparameterised.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { trace } from "../handlers/trace.js";
import { replay } from "../handlers/replay.js";
import { weightedSum } from "../ops/weighted-sum.js";
import { parseOptions } from "../options.js";
import type { Model } from "../runtime/messages.js";
import type { ELBO } from "./elbo.js";
import { withScoreFunctionTerms } from "./score-function.js";
import { checkModelGuideMatch, checkSiteShape, checkVectorizedMarkovSites } from "./site-checks.js";

const traceELBOOptions = z.object({
  numParticles: z.number().int().positive().default(1),
  maxPlateNesting: z.number().int().nonnegative().optional(),
}).strict();

export type TraceELBOOptions = z.input<typeof traceELBOOptions>;

export class TraceELBO implements ELBO {
  readonly numParticles: number;
  readonly maxPlateNesting: number | undefined;

  constructor(options: TraceELBOOptions = {}) {
    const o = parseOptions("TraceELBO", traceELBOOptions, options);
    this.numParticles = o.numParticles;
    this.maxPlateNesting = o.maxPlateNesting;
  }

  differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar {
    return tf.tidy(() => {
      // each particle's share of -ELBO / numParticles; one particle needs no further op
      let total: tf.Tensor | undefined;
      for (let p = 0; p < this.numParticles; p++) {
        const share = this.particle(model, guide, args, -1 / this.numParticles);
        total = total === undefined ? share : total.add(share);
      }
      return total as tf.Scalar;
    });
  }

  loss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): number {
    const t = this.differentiableLoss(model, guide, ...args);
    const v = t.dataSync()[0]!;
    t.dispose();
    return v;
  }

  /** One particle's surrogate ELBO times `weight` (value = weight * ELBO). */
  private particle<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, weight: number): tf.Tensor {
    const guideTrace = trace(guide).getTrace(...args);
    const modelTrace = trace(replay(model, { trace: guideTrace })).getTrace(...args);
    checkModelGuideMatch(modelTrace, guideTrace, () => false);
    checkVectorizedMarkovSites(modelTrace);
    for (const tr of [modelTrace, guideTrace]) {
      for (const site of tr.sampleSites()) checkSiteShape(site, tr.logProb(site.name).shape, this.maxPlateNesting, tr);
    }
    // log p - log q summed in one op (Trace.logProbSum would be a sum and an add per site)
    const terms: tf.Tensor[] = [];
    const weights: number[] = [];
    for (const site of modelTrace.sampleSites()) {
      terms.push(modelTrace.logProb(site.name));
      weights.push(weight);
    }
    for (const site of guideTrace.latentSites()) {
      terms.push(guideTrace.logProb(site.name));
      weights.push(-weight);
    }
    // the surrogate is linear in the ELBO's scale, so scaling first leaves its gradient scaled alike
    return withScoreFunctionTerms(weightedSum(terms, weights), guideTrace);
  }
}
