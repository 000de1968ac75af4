/** A plan run's tensors by slot: the inputs' data is read only when a step needs the tensor itself. */
import type * as tf from "@tensorflow/tfjs";
import type { Factor } from "./factor.js";
import type { RowOf } from "./rows.js";

export class Slots {
  private readonly made: (tf.Tensor | undefined)[] = [];
  constructor(private readonly inputs: readonly Factor[]) {}

  get(i: number): tf.Tensor {
    let t = this.made[i];
    if (t === undefined) {
      const input = this.inputs[i];
      if (input === undefined) throw new Error(`internal: plan slot ${i} read before it was computed`);
      this.made[i] = t = input.data;
    }
    return t;
  }

  /** Where an input slot is a row of a batch (without making its tensor). */
  row(i: number): RowOf | undefined {
    return this.inputs[i]?.row;
  }

  set(i: number, t: tf.Tensor): void {
    this.made[i] = t;
  }
}
