/** Run a cached plan on this call's factor tensors with a given ring. */
import * as tf from "@tensorflow/tfjs-core";
import { runChain } from "./chain-exec.js";
import { runFactorial } from "./factorial-exec.js";
import type { Factor } from "./factor.js";
import type { Align, Plan, ProductStep } from "./plan.js";
import { plateSum } from "./plate-sum.js";
import type { Ring } from "./rings.js";
import { LazyRows, type RowOf } from "./rows.js";
import { Slots } from "./slots.js";
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
  const rowProducts = new RowProducts();
  for (const step of plan.steps) {
    if (step.kind === "combine") {
      const aligned = step.inputs.map((s, i) => align(slots.get(s), step.aligns[i]!));
      slots.set(step.out, ring.combine(aligned, step));
    } else if (step.kind === "chain") {
      slots.set(step.out, runChain(step, slots, ring));
    } else if (step.kind === "timeChain") {
      slots.set(step.out, runTimeChain(step, slots, plan.slotDims, size, ring));
    } else if (step.kind === "factorial") {
      slots.set(step.out, runFactorial(step, slots, ring));
    } else {
      const r = slots.row(step.input);
      if (r !== undefined && isRowOf(plan, step.input, r)) slots.setRow(step.out, { rows: rowProducts.of(r.rows, step), row: r.row });
      else slots.set(step.out, product(slots.get(step.input), step.axes, step.multiplier));
    }
  }
  return plan.roots.map((r) => slots.get(r));
}

function product(x: tf.Tensor, axes: readonly number[], multiplier: number): tf.Tensor {
  const summed = plateSum(x, axes);
  return multiplier === 1 ? summed : summed.mul(multiplier);
}

/** The batch's rows have the slot's shape (the batch is [rows, ...slot shape]). */
function isRowOf(plan: Plan, slot: number, r: RowOf): boolean {
  const dims = plan.slotDims[slot]!;
  const shape = r.rows.source.shape;
  return shape.length === dims.length + 1 && dims.every((d, i) => plan.sizes.get(d) === shape[i + 1]);
}

/**
 * A plate product of a row is that row of the batch's plate product: the
 * product steps of every row of one batch (a markov chain's emissions, one
 * step each) run as ONE sum over the whole batch, and their results stay rows
 * of it, which the chain step weaves back along time without splitting them.
 */
class RowProducts {
  private readonly made = new Map<LazyRows, Map<string, LazyRows>>();

  of(rows: LazyRows, step: ProductStep): LazyRows {
    let byStep = this.made.get(rows);
    if (byStep === undefined) this.made.set(rows, (byStep = new Map()));
    const key = `${step.axes.join(",")}*${step.multiplier}`;
    let out = byStep.get(key);
    if (out === undefined) {
      out = new LazyRows(product(rows.source, step.axes.map((a) => a + 1), step.multiplier));
      byStep.set(key, out);
    }
    return out;
  }
}
