/**
 * Pyro's Vindex: vectorised indexing where tensor indices broadcast against
 * each other and against the batch dims.
 *
 *   vindex(x, "...", i, ":")  x has batch dims then 2 indexed dims; result
 *                             shape = broadcast(batch, i.shape) ++ [x.shape[-1]]
 *   vindex(x, i, j)           x has no batch dims; missing trailing dims are ":"
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError, PPLShapeError, formatShape } from "../errors.js";
import { isValidationEnabled, validationCheck } from "../validation.js";
import { broadcastRows } from "./broadcast-index.js";
import { gatherFlat } from "./gather.js";
import { stepCached } from "./step-cache.js";
import { broadcastShapes } from "./tensor.js";

/** One argument of {@link vindex}: `"..."` (the batch dims), `":"` (keep a dim), an integer, or an int32 index tensor. */
export type VindexArg = "..." | ":" | number | tf.Tensor;

/**
 * Int32 data known to hold 0..n-1 (an enumerated support, tagged by whoever
 * makes it, at creation). The tag sits on the tensor's data id, which tfjs
 * reshapes, squeezes and expandDims share with their input: a model's
 * `x.squeeze(-1)` of an enumerated value keeps the tag, with no readback. A
 * view of shape [n, 1, ..., 1] holds 0..n-1 along its first axis, and
 * indexing with it is a transpose/reshape, with no gather and a free
 * gradient. A WeakSet on the data id, not allocator state: it dies with the data.
 */
const arangeData = new WeakSet<object>();

/** Declare that `t` (int32) holds 0, 1, ..., size - 1 in order; views of it share the tag. */
export function markArangeIndex(t: tf.Tensor): void {
  if (t.dtype === "int32") arangeData.add(t.dataId);
}

/** True when `t` is (a view of) int32 data tagged by markArangeIndex, laid out as [n, 1, ..., 1]. */
export function isArangeIndex(t: tf.Tensor): boolean {
  return arangeData.has(t.dataId) && t.rank > 0 && t.shape.every((d, i) => i === 0 || d === 1);
}

/**
 * vindex's result, once per loss call (step-cache.ts) per source tensor,
 * index data and layout: tensors are immutable, so the same table indexed by
 * the same index data is the same tensor. A markov chain's enumerated values
 * alternate between two dims, and a distribution caches its support per dim,
 * so `vindex(locs, "...", z)` at step t is the very same view as at step t-2:
 * one reshape (and its gradient) per chain, not per step. A decoded chain
 * (inferDiscrete's replay, whose sites of equal decoded values share one
 * tensor) gathers once per distinct value, not once per step.
 */
function memoised(x: tf.Tensor, indexArgs: readonly VindexArg[], batchRank: number): tf.Tensor {
  // the key parts: x, its batch rank, and per argument ':', a number, or a tensor's data, dtype, rank and dims
  const key: unknown[] = [x, batchRank];
  for (const a of indexArgs) {
    if (a instanceof tf.Tensor) key.push(a.dataId, a.dtype, a.rank, ...a.shape);
    else key.push(a);
  }
  return stepCached(key, "vindex", () => tf.tidy(() => vindexArange(x, indexArgs, batchRank) ?? gathered(x, indexArgs, batchRank)));
}

/**
 * The fast path: exactly one tensor index, an arange tag, all other indices
 * ':', and x's batch has size 1 where the index varies (otherwise the result
 * is a diagonal and needs a gather). Returns undefined when it does not apply.
 */
function vindexArange(x: tf.Tensor, indexArgs: readonly VindexArg[], batchRank: number): tf.Tensor | undefined {
  let k = -1;
  for (let j = 0; j < indexArgs.length; j++) {
    const a = indexArgs[j];
    if (a === ":") continue;
    if (k >= 0 || !(a instanceof tf.Tensor) || !isArangeIndex(a)) return undefined;
    k = j;
  }
  if (k < 0) return undefined;
  const idx = indexArgs[k] as tf.Tensor;
  const n = x.shape[batchRank + k]!;
  if (idx.rank === 0 || idx.shape[0] !== n || idx.shape.some((d, i) => i > 0 && d !== 1)) return undefined;
  const r = idx.rank;
  const nb = Math.max(batchRank, r);
  const at = nb - r; // output batch position of the indexed axis
  const perm: number[] = [];
  const shape: number[] = [];
  let dropped = -1;
  for (let p = 0; p < nb; p++) {
    const src = p - (nb - batchRank);
    if (p === at) {
      if (src >= 0) {
        if (x.shape[src] !== 1) return undefined;
        dropped = src;
      }
      perm.push(batchRank + k);
      shape.push(n);
    } else if (src >= 0) {
      perm.push(src);
      shape.push(x.shape[src]!);
    } else shape.push(1);
  }
  for (let j = 0; j < indexArgs.length; j++) {
    if (j === k) continue;
    perm.push(batchRank + j);
    shape.push(x.shape[batchRank + j]!);
  }
  if (dropped >= 0) perm.push(dropped);
  const moved = perm.every((p, i) => p === i) ? x : x.transpose(perm);
  return moved.reshape(shape);
}

/**
 * Pyro's `Vindex(x)[...]`: index `x` with tensors that broadcast against each
 * other and against `x`'s batch dims (everything left of `"..."`). Index
 * tensors must be int32 (a Categorical's values are).
 *
 * @example
 * vindex(probsTrans, "...", z, ":") // Vindex(probs_trans)[..., z, :]: the transition row of each z
 * vindex(locs, "...", z)            // Vindex(locs)[..., z]
 * vindex(obs, seqs, t)              // obs[seqs, t] with seqs and t broadcast
 */
export function vindex(x: tf.Tensor, ...args: VindexArg[]): tf.Tensor {
  const { indexArgs, batchRank } = indexLayout(x, args);
  // a hit makes no tensor, so the tidy scope is inside the miss (a scope's bookkeeping cost more than the lookup:
  // a markov chain's steps all hit it, 3 calls a step in the seed HMM)
  return memoised(x, indexArgs, batchRank);
}

/** The index arguments with the leading '...' resolved (or trailing ':'s filled in), and x's batch rank. */
function indexLayout(x: tf.Tensor, args: readonly VindexArg[]): { indexArgs: VindexArg[]; batchRank: number } {
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
  return { indexArgs, batchRank };
}

/** The general path: one gather at flat positions computed in JS. */
function gathered(x: tf.Tensor, indexArgs: readonly VindexArg[], batchRank: number): tf.Tensor {
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
    if (isValidationEnabled()) validationCheck(() => checkRange(a, n, k));
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
  const outShape = [...outBatch, ...colonSizes];

  const strides = new Array<number>(x.rank);
  let acc = 1;
  for (let d = x.rank - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= dimSizes[d]!;
  }
  // The flat source position of every output element, computed in JS: the
  // indices are int32 data (no gradient), and as tensor ops the index
  // arithmetic cost a dozen kernels per call. Each batch and ':' dim of x
  // adds coordinate × stride along its output dim, each tensor index its
  // values × stride, broadcast.
  const outRank = outShape.length;
  const along = (d: number, n: number) => outShape.map((_, i) => (i === d ? n : 1));
  const parts: { values: ArrayLike<number>; shape: number[] }[] = [];
  const coordinate = (n: number, step: number) => Int32Array.from({ length: n }, (_, c) => c * step);
  batchShape.forEach((n, d) => {
    if (n > 1) parts.push({ values: coordinate(n, strides[d]!), shape: along(nb - batchRank + d, n) });
  });
  colonPositions.forEach((p, c) => {
    const n = dimSizes[p]!;
    if (n > 1) parts.push({ values: coordinate(n, strides[p]!), shape: along(nb + c, n) });
  });
  for (const { pos, t } of tensors) {
    const step = strides[pos]!;
    const data = t.dataSync();
    const values = step === 1 ? data : Int32Array.from(data, (v) => v * step);
    parts.push({ values, shape: [...new Array<number>(nb - t.rank).fill(1), ...t.shape, ...new Array<number>(outRank - nb).fill(1)] });
  }
  const flat = sumBroadcast(outShape, parts);
  return gatherFlat(x.reshape([-1]) as tf.Tensor1D, tf.tensor(flat, outShape, "int32"));
}

/** Σ of int parts broadcast to `out`, row by row (no per-element index arrays or divisions). */
function sumBroadcast(out: readonly number[], parts: readonly { values: ArrayLike<number>; shape: readonly number[] }[]): Int32Array {
  const N = out.reduce((a, b) => a * b, 1);
  const flat = new Int32Array(N);
  if (parts.length === 0) return flat;
  const { rows, inner, base, step } = broadcastRows(out, parts.map((q) => q.shape));
  for (let i = 0; i < parts.length; i++) addRows(flat, parts[i]!.values, base[i]!, step[i]!, rows, inner);
  return flat;
}

function addRows(flat: Int32Array, values: ArrayLike<number>, base: Int32Array, step: number, rows: number, inner: number): void {
  for (let r = 0; r < rows; r++) {
    const b = base[r]!;
    const o = r * inner;
    for (let c = 0; c < inner; c++) flat[o + c]! += values[b + c * step]!;
  }
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
