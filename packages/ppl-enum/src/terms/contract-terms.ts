/**
 * The one road from collected terms to the contraction: the plan's inputs
 * (every factor, each vectorizedMarkov chain a step of the plan), the plan
 * cached by their structure, and the plan run with the caller's ring. The
 * ELBO (log ring), the marginals (log ring, differentiated) and inferDiscrete
 * (MAP or sample ring) all come this way.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { runPlan } from "../contract/execute.js";
import { type Dim, signatureOf } from "../contract/factor.js";
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
  const { factors, sumDims, chains } = planInputs(terms);
  if (factors.length === 0) return undefined;
  const plan = plans.get(factors.map(signatureOf), sumDims, terms.plateSizes, label, chains);
  return { plan, roots: runPlan(plan, factors.map((f) => f.factor), ring) };
}
