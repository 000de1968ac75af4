/**
 * A plan run's tensors by slot: the inputs' data is read only when a step
 * needs the tensor itself, and a slot that is a row of a batch (an input row
 * factor, or a plate product of one) stays a row until then.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Factor } from "./factor.js";
import type { RowOf } from "./rows.js";

export class Slots {
  private readonly made: (tf.Tensor | undefined)[] = [];
  private readonly rows: (RowOf | undefined)[] = [];
  constructor(private readonly inputs: readonly Factor[]) {}

  get(i: number): tf.Tensor {
    let t = this.made[i];
    if (t === undefined) {
      const input = this.inputs[i];
      const r = this.rows[i];
      if (input !== undefined) t = input.data;
      else if (r !== undefined) t = r.rows.get(r.row);
      else throw new Error(`internal: plan slot ${i} read before it was computed`);
      this.made[i] = t;
    }
    return t;
  }

  /** Where a slot is a row of a batch (without making its tensor). */
  row(i: number): RowOf | undefined {
    return this.inputs[i]?.row ?? this.rows[i];
  }

  set(i: number, t: tf.Tensor): void {
    this.made[i] = t;
  }

  /** The slot is row `r.row` of `r.rows`, made only when read. */
  setRow(i: number, r: RowOf): void {
    this.rows[i] = r;
  }
}
