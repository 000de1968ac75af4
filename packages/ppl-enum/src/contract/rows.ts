/**
 * Log-factors computed as one batch (a markov chain's emissions, one row per
 * step) reach the plan as row factors: each carries its place in the batch
 * and makes its own tensor only when something reads `data`. The plan keeps
 * them rows as long as it can: a plate product of rows of one batch runs once
 * on the whole batch (execute.ts), and the chain step stacks them back along
 * time from the batch itself, so in the common case the rows are never split
 * off (a split costs a copy per row forward and a stack backward).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { splitRows } from "ppl-core/internal";
import type { Dim, Factor } from "./factor.js";

/** The rows of `source` along axis 0, split off on first use. */
export class LazyRows {
  private rows: tf.Tensor[] | undefined;
  constructor(readonly source: tf.Tensor) {}

  get(i: number): tf.Tensor {
    // splitRows, not tf.unstack: tfjs's Unpack gradient fails when some rows have no gradient (it stacks undefined)
    this.rows ??= splitRows(this.source);
    return this.rows[i]!;
  }
}

/** Row `row` of a batch. */
export interface RowOf {
  readonly rows: LazyRows;
  readonly row: number;
}

export function rowFactor(rows: LazyRows, row: number, dims: readonly Dim[], shape: readonly number[]): Factor {
  return {
    dims,
    shape,
    row: { rows, row },
    get data() {
      return rows.get(row);
    },
  };
}
