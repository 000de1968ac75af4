/**
 * Log-factors computed as one batch (a markov chain's emissions, one row per
 * step) reach the plan as row factors: each carries its place in the batch
 * and makes its own tensor only when something reads `data`. The chain step
 * stacks them back along time from the batch itself, so in the common case
 * the rows are never split off (a split costs one slice per row forward and
 * a concat backward).
 */
import * as tf from "@tensorflow/tfjs";
import type { Dim, Factor } from "./factor.js";

export interface RowOf {
  readonly source: tf.Tensor;
  readonly row: number;
}

/** The rows of `source` along axis 0, split off on first use. */
export class LazyRows {
  private rows: tf.Tensor[] | undefined;
  constructor(readonly source: tf.Tensor) {}

  get(i: number): tf.Tensor {
    this.rows ??= tf.unstack(this.source);
    return this.rows[i]!;
  }
}

export function rowFactor(rows: LazyRows, row: number, dims: readonly Dim[], shape: readonly number[]): Factor {
  return {
    dims,
    shape,
    row: { source: rows.source, row },
    get data() {
      return rows.get(row);
    },
  };
}
