/**
 * TraceEnumELBO: the guide's trace, the model replayed against it under
 * enumeration, and every log-factor that depends on an enumerated variable
 * contracted exactly in log space (respecting plates). Everything else is an
 * ordinary cost term, as in TraceELBO.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import {
  checkModelGuideMatch, checkSiteShape, checkVectorizedMarkovSites, parseOptions, replay, trace, weightedSum, withHandler, withScoreFunctionTerms,
} from "ppl-core";
import type { ELBO, Model } from "ppl-core";
import { signatureOf } from "../contract/factor.js";
import { runPlan } from "../contract/execute.js";
import { PlanCache } from "../contract/plan-cache.js";
import { logRing } from "../contract/rings.js";
import { contractTimeChain } from "../contract/time-chain.js";
import { collectTerms } from "../enum/collect.js";
import { separateTimeChains } from "../enum/time-chains.js";
import { EnumMessenger } from "../enum/enum-handler.js";
import { guessMaxPlateNesting } from "./max-plate-nesting.js";

const traceEnumELBOOptions = z.object({
  /** How many plate dims (from the right) the model uses; inferred from a first run when left out. */
  maxPlateNesting: z.number().int().nonnegative().optional(),
  /**
   * Sum out markov chains (first-order, one size per step) with one fused
   * forward–backward op instead of one log-sum-exp per step. Same value;
   * far fewer tfjs ops. On by default; false forces the step-by-step path
   * for markov loops (a vectorizedMarkov chain has no steps to go through:
   * it is always contracted by the fused op).
   */
  fuseChains: z.boolean().default(true),
}).strict();

export type TraceEnumELBOOptions = z.input<typeof traceEnumELBOOptions>;

export class TraceEnumELBO implements ELBO {
  private inferredPlateNesting: number | undefined;
  private readonly givenPlateNesting: number | undefined;
  private readonly plans: PlanCache;

  constructor(options: TraceEnumELBOOptions = {}) {
    const o = parseOptions("TraceEnumELBO", traceEnumELBOOptions, options);
    this.givenPlateNesting = o.maxPlateNesting;
    this.plans = new PlanCache({ fuseChains: o.fuseChains });
  }

  /** The maxPlateNesting in use (given, or inferred by the first call). */
  get maxPlateNesting(): number | undefined {
    return this.givenPlateNesting ?? this.inferredPlateNesting;
  }

  differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar {
    return tf.tidy(() => this.elbo(model, guide, args).neg() as tf.Scalar);
  }

  loss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): number {
    return tf.tidy(() => this.differentiableLoss(model, guide, ...args).dataSync()[0]!);
  }

  /** The surrogate ELBO: its value is the ELBO, its gradient the ELBO's gradient estimate. */
  private elbo<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A): tf.Tensor {
    const maxPlateNesting = this.maxPlateNesting ?? (this.inferredPlateNesting = guessMaxPlateNesting(model, guide, args));
    const guideTrace = trace(guide).getTrace(...args);
    const messenger = new EnumMessenger(-1 - maxPlateNesting);
    const modelTrace = trace(withHandler(replay(model, { trace: guideTrace }), () => messenger)).getTrace(...args);
    checkModelGuideMatch(modelTrace, guideTrace, (site) => site.enumInfo !== undefined);
    checkVectorizedMarkovSites(modelTrace);
    for (const site of guideTrace.sampleSites()) {
      checkSiteShape(site, guideTrace.logProb(site.name).shape, maxPlateNesting);
    }

    const terms = collectTerms(modelTrace, messenger.allocator, true);
    const { factors, sumDims, chains } = separateTimeChains(terms);
    // every term enters one weighted sum (one op): the costs, the contracted parts times the shared scale, minus log q
    const parts: tf.Tensor[] = [...terms.costs];
    const weights: number[] = terms.costs.map(() => 1);
    const contracted = (t: tf.Tensor) => {
      parts.push(t);
      weights.push(terms.scale);
    };
    const sizes = new Map([...terms.varSizes, ...terms.plateSizes]);
    for (const chain of chains) {
      const data = contractTimeChain(chain, sizes);
      // a chain that depends on enumerated variables outside it is one more factor for the plan
      if (chain.batch.length > chain.plates.length) factors.push({ factor: { data, dims: chain.batch }, ordinal: chain.plates });
      else contracted(data);
    }
    if (factors.length > 0) {
      const plan = this.plans.get(factors.map(signatureOf), sumDims, terms.plateSizes, terms.label);
      for (const root of runPlan(plan, factors.map((f) => f.factor), logRing)) contracted(root);
    }
    for (const site of guideTrace.latentSites()) {
      parts.push(guideTrace.logProb(site.name));
      weights.push(-1);
    }
    const elbo = weightedSum(parts, weights);

    const surrogate = withScoreFunctionTerms(elbo, guideTrace);
    guideTrace.dispose();
    return surrogate;
  }
}
