/**
 * Trace_ELBO: the Monte Carlo ELBO from guide draws, with a score-function
 * term for guide sites that cannot be reparameterised.
 */
import type * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { replay } from "../handlers/replay.js";
import { trace } from "../handlers/trace.js";
import { weightedSum } from "../ops/weighted-sum.js";
import { parseOptions } from "../options.js";
import type { Model } from "../runtime/messages.js";
import type { Trace } from "../runtime/trace-struct.js";
import { ParticleELBO, type ParticleOptions, particleOptions } from "./particle-elbo.js";
import { withScoreFunctionTerms } from "./score-function.js";
import { checkModelGuideMatch, checkSiteShape, checkVectorizedMarkovSites } from "./site-checks.js";

const traceELBOOptions = z.strictObject(particleOptions);

/** Options of {@link TraceELBO}: `numParticles` (1), `vectorizeParticles` (false), `maxPlateNesting`. */
export type TraceELBOOptions = ParticleOptions;

/**
 * Pyro's Trace_ELBO: log p(x, z) − log q(z) at guide draws z; a guide site
 * that cannot be reparameterised adds log q · ELBO (REINFORCE).
 *
 * @example
 * const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceELBO({ numParticles: 8, vectorizeParticles: true }));
 */
export class TraceELBO extends ParticleELBO {
  constructor(options: TraceELBOOptions = {}) {
    super(parseOptions("TraceELBO", traceELBOOptions, options));
  }

  protected surrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined): tf.Tensor {
    return this.weightedSurrogate(model, guide, args, maxPlateNesting, 1);
  }

  /** The weight goes into the one op that sums the log-densities; the score-function terms scale with it (they are linear in the ELBO they multiply). */
  protected override weightedSurrogate<A extends unknown[]>(
    model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined, weight: number,
  ): tf.Tensor {
    const { modelTrace, guideTrace } = checkedTraces(model, guide, args, maxPlateNesting);
    return withScoreFunctionTerms(logPMinusLogQ(modelTrace, guideTrace, weight), guideTrace);
  }
}

/**
 * weight · (Σ log p over the model's sample sites − Σ log q over the guide's
 * latent ones), in one op (Trace.logProbSum would be a sum and an add per site).
 */
export function logPMinusLogQ(modelTrace: Trace, guideTrace: Trace, weight = 1): tf.Tensor {
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
  return weightedSum(terms, weights);
}

/** The guide's trace and the model's replayed against it, with the checks every trace-based ELBO makes. */
export function checkedTraces<A extends unknown[]>(
  model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined,
): { modelTrace: Trace; guideTrace: Trace } {
  const guideTrace = trace(guide).getTrace(...args);
  const modelTrace = trace(replay(model, { trace: guideTrace })).getTrace(...args);
  checkModelGuideMatch(modelTrace, guideTrace, () => false);
  checkVectorizedMarkovSites(modelTrace);
  for (const tr of [modelTrace, guideTrace]) {
    for (const site of tr.sampleSites()) checkSiteShape(site, tr.logProb(site.name).shape, maxPlateNesting, tr);
  }
  return { modelTrace, guideTrace };
}
