/**
 * The one road from collected terms to the contraction: the plan's inputs
 * (every factor, each vectorizedMarkov chain a step of the plan), the plan
 * cached by their structure, and the plan run with the caller's ring. The
 * ELBO (log ring), the marginals (log ring, differentiated) and inferDiscrete
 * (MAP or sample ring) all come this way.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { runPlan } from "../contract/execute.js";
import { type Dim, type Factor, signatureOf } from "../contract/factor.js";
import type { Plan } from "../contract/plan.js";
import type { PlanCache } from "../contract/plan-cache.js";
import type { Ring } from "../contract/rings.js";
import type { CollectedTerms } from "./collect.js";
import { planInputs } from "./time-chains.js";

export interface Contracted {
  readonly plan: Plan;
  /** One tensor per plan root, each over its slot's dims (`plan.slotDims[plan.roots[i]]`). */
  readonly roots: readonly tf.Tensor[];
}

/** The terms' factors contracted with `ring` (undefined when there is nothing to contract). */
export function contractTerms(terms: CollectedTerms, plans: PlanCache, ring: Ring, label: (d: Dim) => string = terms.label): Contracted | undefined {
  const planned = planTerms(terms, plans, label);
  return planned === undefined ? undefined : { plan: planned.plan, roots: runPlan(planned.plan, planned.factors, ring) };
}

/** The plan and the factors it runs on, for a caller that runs it later (inferDiscrete's MAP op, with the factors as its inputs). */
export function planTerms(terms: CollectedTerms, plans: PlanCache, label: (d: Dim) => string = terms.label): { plan: Plan; factors: Factor[] } | undefined {
  const { factors, sumDims, chains } = planInputs(terms);
  if (factors.length === 0) return undefined;
  return { plan: plans.get(factors.map(signatureOf), sumDims, terms.plateSizes, label, chains), factors: factors.map((f) => f.factor) };
}
