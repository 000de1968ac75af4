/**
 * Run a FactorialStep: stack each layout group's per-step factors as a
 * ChainStep's are (chain-exec.ts), sum the groups on the same chains, and
 * eliminate the chains with the ring's factorial operation.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { FactorialTerm } from "ppl-core/internal";
import { stackGroup } from "./chain-exec.js";
import type { FactorialStep } from "./factorial-plan.js";
import type { Ring } from "./rings.js";
import type { Slots } from "./slots.js";

/** The chains eliminated by `ring`: a tensor over the step's plates (shape `step.plateShape`). */
export function runFactorial(step: FactorialStep, slots: Slots, ring: Ring): tf.Tensor {
  const byChains = new Map<string, { data: tf.Tensor; chains: readonly number[] }>();
  for (const { group, chains } of step.unary) {
    const x = stackGroup(group, slots, step.plateShape, false);
    const key = chains.join(",");
    const known = byChains.get(key);
    byChains.set(key, { data: known === undefined ? x : known.data.add(x), chains });
  }
  const terms: FactorialTerm[] = [...byChains.values()];
  const pairs = step.pairs.map((groups) => {
    let sum: tf.Tensor | undefined;
    for (const g of groups) {
      const x = stackGroup(g, slots, step.plateShape, true);
      sum = sum === undefined ? x : sum.add(x);
    }
    return sum!;
  });
  return ring.factorial(step.length, terms, pairs, step.spec);
}
