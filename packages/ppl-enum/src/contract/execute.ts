/** Run a cached plan on this call's factor tensors with a given ring. */
import * as tf from "@tensorflow/tfjs";
import { runChain } from "./chain-exec.js";
import type { Factor } from "./factor.js";
import type { Align, Plan } from "./plan.js";
import type { Ring } from "./rings.js";
import { Slots } from "./slots.js";

export function align(x: tf.Tensor, a: Align): tf.Tensor {
  let y = a.perm === null ? x : x.transpose([...a.perm]);
  if (a.shape !== null) y = y.reshape([...a.shape]);
  return y;
}

/** Returns one tensor per plan root, each over plate dims only (`plan.slotDims[root]`). */
export function runPlan(plan: Plan, inputs: readonly Factor[], ring: Ring): tf.Tensor[] {
  const slots = new Slots(inputs);
  for (const step of plan.steps) {
    if (step.kind === "combine") {
      const aligned = step.inputs.map((s, i) => align(slots.get(s), step.aligns[i]!));
      slots.set(step.out, ring.combine(aligned, step));
    } else if (step.kind === "chain") {
      slots.set(step.out, runChain(step, slots, ring));
    } else {
      const x = slots.get(step.input);
      const summed = step.axes.length > 0 ? x.sum([...step.axes]) : x;
      slots.set(step.out, step.multiplier === 1 ? summed : summed.mul(step.multiplier));
    }
  }
  return plan.roots.map((r) => slots.get(r));
}
