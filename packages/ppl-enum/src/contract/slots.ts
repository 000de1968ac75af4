/** A plan run's tensors by slot: the inputs' factors, then each step's result. */
import type * as tf from "@tensorflow/tfjs-core";
import type { Factor } from "./factor.js";

export class Slots {
  private readonly made: (tf.Tensor | undefined)[] = [];
  constructor(private readonly inputs: readonly Factor[]) {}

  get(i: number): tf.Tensor {
    const t = this.made[i] ?? this.inputs[i]?.data;
    if (t === undefined) throw new Error(`internal: plan slot ${i} read before it was computed`);
    return t;
  }

  set(i: number, t: tf.Tensor): void {
    this.made[i] = t;
  }
}
