/**
 * Pyro's Vindex: vectorised indexing where tensor indices broadcast against
 * each other and against the batch dims.
 *
 *   vindex(x, "...", i, ":")  x has batch dims then 2 indexed dims; result
 *                             shape = broadcast(batch, i.shape) ++ [x.shape[-1]]
 *   vindex(x, i, j)           x has no batch dims; missing trailing dims are ":"
 */
import * as tf from "@tensorflow/tfjs";
import { PPLConfigError, PPLShapeError, formatShape } from "../errors.js";
import { isValidationEnabled } from "../validation.js";
import { gatherFlat } from "./gather.js";
import { broadcastShapes } from "./tensor.js";

export type VindexArg = "..." | ":" | number | tf.Tensor;

export function vindex(x: tf.Tensor, ...args: VindexArg[]): tf.Tensor {
  return tf.tidy(() => {
    let indexArgs: VindexArg[];
    let batchRank: number;
    if (args[0] === "...") {
      indexArgs = args.slice(1);
      if (indexArgs.includes("...")) throw new PPLConfigError("vindex: only a leading '...' is supported");
      batchRank = x.rank - indexArgs.length;
      if (batchRank < 0) {
        throw new PPLShapeError(
          `vindex: ${indexArgs.length} indices after '...' but the tensor has only ${x.rank} dims (shape ${formatShape(x.shape)})`,
          { expected: `at most ${x.rank} indices`, actual: String(indexArgs.length) },
        );
      }
    } else {
      if (args.includes("...")) throw new PPLConfigError("vindex: only a leading '...' is supported");
      if (args.length > x.rank) {
        throw new PPLShapeError(
          `vindex: ${args.length} indices for a tensor of shape ${formatShape(x.shape)}`,
          { expected: `at most ${x.rank} indices`, actual: String(args.length) },
        );
      }
      indexArgs = [...args, ...new Array<VindexArg>(x.rank - args.length).fill(":")];
      batchRank = 0;
    }

    const dimSizes = x.shape;
    const batchShape = dimSizes.slice(0, batchRank);
    const tensors: { pos: number; t: tf.Tensor }[] = [];
    indexArgs.forEach((a, k) => {
      const pos = batchRank + k;
      const n = dimSizes[pos]!;
      if (a === ":") return;
      if (typeof a === "number") {
        if (!Number.isInteger(a) || a < 0 || a >= n) {
          throw new PPLShapeError(`vindex: index ${a} at position ${k} is out of range for a dim of size ${n}`, {
            expected: `an integer in [0, ${n - 1}]`,
            actual: String(a),
          });
        }
        tensors.push({ pos, t: tf.scalar(a, "int32") });
        return;
      }
      if (!(a instanceof tf.Tensor)) {
        throw new PPLConfigError(`vindex: argument ${k} must be '...', ':', an integer or an int32 tensor, got ${String(a)}`);
      }
      if (a.dtype !== "int32") {
        throw new PPLConfigError(
          `vindex: the tensor index at position ${k} has dtype ${a.dtype}; indices must be int32 (use .toInt())`,
          { expected: "int32", actual: a.dtype },
        );
      }
      if (isValidationEnabled()) checkRange(a, n, k);
      tensors.push({ pos, t: a });
    });
    if (tensors.length === 0) {
      // only ':' — plain slicing is already right
      return x.clone();
    }

    const colonPositions = indexArgs.map((a, k) => (a === ":" ? batchRank + k : -1)).filter((p) => p >= 0);
    const colonSizes = colonPositions.map((p) => dimSizes[p]!);
    const outBatch = broadcastShapes([batchShape, ...tensors.map((e) => e.t.shape)], "vindex index shapes");
    const nb = outBatch.length;
    const nc = colonSizes.length;
    const outShape = [...outBatch, ...colonSizes];

    const strides = new Array<number>(x.rank);
    let acc = 1;
    for (let d = x.rank - 1; d >= 0; d--) {
      strides[d] = acc;
      acc *= dimSizes[d]!;
    }

    let flat: tf.Tensor = tf.zeros(new Array<number>(nb + nc).fill(1), "int32");
    // batch dims of x: an arange along their (right-aligned) output dim
    for (let d = 0; d < batchRank; d++) {
      if (dimSizes[d] === 1) continue;
      const outPos = nb - batchRank + d;
      const shape = new Array<number>(nb + nc).fill(1);
      shape[outPos] = dimSizes[d]!;
      flat = flat.add(tf.range(0, dimSizes[d]!, 1, "int32").mul(tf.scalar(strides[d]!, "int32")).reshape(shape));
    }
    for (const { pos, t } of tensors) {
      const shape = [...new Array<number>(nb - t.rank).fill(1), ...t.shape, ...new Array<number>(nc).fill(1)];
      flat = flat.add(t.mul(tf.scalar(strides[pos]!, "int32")).reshape(shape));
    }
    colonPositions.forEach((p, c) => {
      const shape = new Array<number>(nb + nc).fill(1);
      shape[nb + c] = dimSizes[p]!;
      flat = flat.add(tf.range(0, dimSizes[p]!, 1, "int32").mul(tf.scalar(strides[p]!, "int32")).reshape(shape));
    });
    flat = tf.broadcastTo(flat, outShape);
    return gatherFlat(x.reshape([-1]) as tf.Tensor1D, flat);
  });
}

function checkRange(t: tf.Tensor, n: number, k: number): void {
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= n) {
      throw new PPLShapeError(
        `vindex: the tensor index at position ${k} holds ${v} (flat element ${i}), out of range for a dim of size ${n}`,
        { expected: `values in [0, ${n - 1}]`, actual: String(v) },
      );
    }
  }
}
