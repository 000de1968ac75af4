/**
 * The layout every family's fused `logProbBatched` shares: values stacked on
 * a leading axis [n, ...v] are padded with size-1 dims after that axis, so
 * that under broadcasting against the parameters the site axis stays
 * leftmost, and the output is [n, ...row], row being the broadcast of a
 * value's batch part with the target batch shape.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { broadcastShapes, broadcastTo } from "../../ops/tensor.js";
import { checkBatchedValues } from "./distribution.js";

export interface BatchedLayout {
  /** The values, [n, 1, ..., 1, ...v]: the same rank as `outShape`. */
  readonly values: tf.Tensor;
  readonly outShape: number[];
}

/** `batchShapes`: the target batch shape and the distribution's own (they broadcast). */
export function batchedLayout(name: string, values: tf.Tensor, batchShapes: readonly (readonly number[])[], eventRank = 0): BatchedLayout {
  checkBatchedValues(name, values);
  const n = values.shape[0]!;
  const v = values.shape.slice(1);
  const valueBatch = v.slice(0, v.length - eventRank);
  const row = broadcastShapes([valueBatch, ...batchShapes], `${name} value and batch shapes`);
  const pad = row.length - valueBatch.length;
  return {
    values: pad > 0 ? values.reshape([n, ...new Array<number>(pad).fill(1), ...v]) : values,
    outShape: [n, ...row],
  };
}

/**
 * A family whose log-density is a broadcasting tensor expression scores the
 * padded values with it in one pass: one set of ops for all n rows, and one
 * gradient for each parameter.
 */
export function logProbOnLayout(
  name: string, values: tf.Tensor, batchShapes: readonly (readonly number[])[], logProb: (padded: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const layout = batchedLayout(name, values, batchShapes);
  return broadcastTo(logProb(layout.values), layout.outShape);
}

/**
 * A parameter's part of a batch key: a JS number stands for itself (every
 * `Normal(loc[z], 1)` of a chain makes a fresh scalar tensor of the same 1),
 * a tensor for its identity.
 */
export function paramKey(given: unknown, tensor: tf.Tensor): unknown {
  return typeof given === "number" ? given : tensor;
}
