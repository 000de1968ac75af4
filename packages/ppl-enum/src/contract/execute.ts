/** Run a cached plan on this call's factor tensors with a given ring. */
import * as tf from "@tensorflow/tfjs-core";
import type { Factor } from "./factor.js";
import type { Align, Plan } from "./plan.js";
import { plateSum } from "./plate-sum.js";
import type { Ring } from "./rings.js";
import { Slots } from "./slots.js";
import { runStack } from "./stack-exec.js";
import { runTimeChain } from "./time-chain-exec.js";

export function align(x: tf.Tensor, a: Align): tf.Tensor {
  let y = a.perm === null ? x : x.transpose([...a.perm]);
  if (a.shape !== null) y = y.reshape([...a.shape]);
  return y;
}

/** Returns one tensor per plan root, each over plate dims only (`plan.slotDims[root]`). */
export function runPlan(plan: Plan, inputs: readonly Factor[], ring: Ring): tf.Tensor[] {
  const slots = new Slots(inputs);
  const size = (d: string): number => plan.sizes.get(d)!;
  for (const step of plan.steps) {
    if (step.kind === "combine") {
      const aligned = step.inputs.map((s, i) => align(slots.get(s), step.aligns[i]!));
      slots.set(step.out, ring.combine(aligned, step));
    } else if (step.kind === "stack") {
      slots.set(step.out, runStack(step, slots));
    } else if (step.kind === "timeChain") {
      slots.set(step.out, runTimeChain(step, slots, plan.slotDims, size, ring));
    } else {
      slots.set(step.out, product(slots.get(step.input), step.axes, step.multiplier));
    }
  }
  return plan.roots.map((r) => slots.get(r));
}

function product(x: tf.Tensor, axes: readonly number[], multiplier: number): tf.Tensor {
  const summed = plateSum(x, axes);
  return multiplier === 1 ? summed : summed.mul(multiplier);
}
