/**
 * Plans keyed by the factors' structural signature. Held by one ELBO or
 * decoder instance (never module-level) and bounded, so a model whose
 * structure changes every call cannot grow it without limit.
 */
import type { Dim, FactorSignature } from "./factor.js";
import { signatureKey } from "./factor.js";
import { buildPlan, type Plan, type PlanOptions } from "./plan.js";
import { type TimeChain, timeChainKey } from "./time-chain-plan.js";

export class PlanCache {
  private readonly plans = new Map<string, Plan>();
  constructor(
    private readonly options: PlanOptions = {},
    private readonly capacity = 32,
  ) {}

  get(
    sigs: readonly FactorSignature[],
    sumDims: ReadonlySet<Dim>,
    plateSizes: ReadonlyMap<Dim, number>,
    label: (d: Dim) => string,
    chains: readonly TimeChain[] = [],
  ): Plan {
    const key = `${signatureKey(sigs, sumDims)}@${[...plateSizes].sort().join(",")}~${chains.map(timeChainKey).join(";")}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = buildPlan(sigs, sumDims, plateSizes, label, this.options, chains);
      if (this.plans.size >= this.capacity) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, plan);
    }
    return plan;
  }

  get size(): number {
    return this.plans.size;
  }
}
