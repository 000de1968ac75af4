/**
 * The tfjs-backend-wasm 4.22 kernels that are silently wrong above rank 6,
 * replaced by ones right at any rank.
 *
 * Its 21 broadcasting binary kernels (Add, Sub, Multiply, RealDiv, Maximum,
 * the comparisons, ...: all built by its createBinaryKernelConfig) and PadV2
 * hand their shapes to XNNPACK's `*_nd` operators, which take at most 6 dims.
 * Above that the operator's setup fails (stderr: "XNN status for
 * xnn_setup_*_nd_f32 is not successful. Got status 4") and the output is left
 * as the heap had it. Every gradient runs through these kernels (a Sum's
 * gradient multiplies, a Slice's pads), so one rank-7 tensor in a model made
 * its loss and gradients wrong without an error (found by comparing ~50 ops
 * and their gradients with the cpu backend at ranks 6–12).
 *
 * Rank ≤ 6 goes to tfjs's kernel unchanged. Above, a binary op first merges
 * adjacent axes that both inputs lay out alike (broadcast-index.ts's
 * collapseBroadcast), which brings every enumeration's factor (a few batch
 * axes, then enumerated axes of size K or 1) to rank ≤ 6 at no cost: tfjs's
 * kernel then runs on the folded shapes (a reshape is free: a TensorInfo is
 * a data id and a shape). Only an alternation of broadcast and full axes
 * that cannot fold is written out in JS to the output's shape first. PadV2
 * above rank 6 is a JS copy into the filled output.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLSupportError } from "../errors.js";
import { broadcastRows, collapseBroadcast } from "../ops/broadcast-index.js";
import { input } from "./wasm-slice.js";

/** The highest rank XNNPACK's `*_nd` operators take (XNN_MAX_TENSOR_DIMS in tfjs-backend-wasm 4.22's build). */
export const XNN_MAX_RANK = 6;

type HeapView = Float32Array | Int32Array | Uint8Array;
type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapView;
  disposeData(dataId: unknown): unknown;
}

function asHeap(backend: unknown, kernel: string): WasmHeap {
  const b = backend as Partial<WasmHeap>;
  if (typeof b.makeOutput !== "function" || typeof b.typedArrayFromHeap !== "function" || typeof b.disposeData !== "function") {
    throw new PPLSupportError(`ppl's wasm ${kernel} kernel ran on a backend without makeOutput/typedArrayFromHeap/disposeData`);
  }
  return b as WasmHeap;
}

const BINARY_KERNELS: readonly string[] = [
  tf.Add, tf.Atan2, tf.BitwiseAnd, tf.Equal, tf.FloorDiv, tf.Greater, tf.GreaterEqual, tf.Less, tf.LessEqual,
  tf.LogicalAnd, tf.LogicalOr, tf.LogicalXor, tf.Maximum, tf.Minimum, tf.Mod, tf.Multiply, tf.NotEqual, tf.Pow,
  tf.RealDiv, tf.SquaredDifference, tf.Sub,
];

/** The same data under another shape of equal size (what tfjs's own wasm kernels do to reshape). */
const reshaped = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** A new wasm tensor holding `x` (on the heap) broadcast to `out`, laid out row-major. */
function materialise(b: WasmHeap, x: tf.TensorInfo, out: number[]): tf.TensorInfo {
  // Allocate before taking views: malloc may grow the heap, which detaches every view of it.
  const full = b.makeOutput(out, x.dtype);
  const src = b.typedArrayFromHeap(x);
  const dst = b.typedArrayFromHeap(full);
  const { rows, inner, base, step } = broadcastRows(out, [x.shape]);
  const from = base[0]!;
  const s = step[0]!;
  for (let r = 0; r < rows; r++) {
    const at = from[r]!;
    const to = r * inner;
    for (let c = 0; c < inner; c++) dst[to + c] = src[at + c * s]!;
  }
  return full;
}

/** A binary kernel that folds (or, failing that, writes out) inputs above rank 6 before tfjs's runs. */
function binaryAnyRank(name: string, stock: (name: string) => tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const a = input(args.inputs, "a");
    const b = input(args.inputs, "b");
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (Math.max(a.shape.length, b.shape.length) <= XNN_MAX_RANK || tf.util.sizeFromShape(out) === 0) return stock(name)(args);
    const { dims, strides } = collapseBroadcast(out, [a.shape, b.shape]);
    const apply = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo =>
      reshaped(stock(name)({ ...args, inputs: { a: x, b: y } }) as tf.TensorInfo, out);
    if (dims.length <= XNN_MAX_RANK) {
      const fold = (st: readonly number[]): number[] => dims.map((d, i) => (st[i] === 0 ? 1 : d));
      return apply(reshaped(a, fold(strides[0]!)), reshaped(b, fold(strides[1]!)));
    }
    const heap = asHeap(args.backend, name);
    const size = tf.util.sizeFromShape(out);
    const [wa, wb] = [a, b].map((x) => (tf.util.sizeFromShape(x.shape) === size ? x : materialise(heap, x, out))) as [tf.TensorInfo, tf.TensorInfo];
    try {
      return apply(reshaped(wa, [size]), reshaped(wb, [size]));
    } finally {
      if (wa !== a) heap.disposeData(wa.dataId);
      if (wb !== b) heap.disposeData(wb.dataId);
    }
  };
}

/** PadV2 above rank 6: fill the output with the constant, then copy the input's rows into place. */
function padAnyRank(stock: (name: string) => tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = input(args.inputs, "x");
    if (x.shape.length <= XNN_MAX_RANK || x.dtype === "string") return stock(tf.PadV2)(args);
    const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
    const b = asHeap(args.backend, tf.PadV2);
    const rank = x.shape.length;
    const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
    const out = b.makeOutput(outShape, x.dtype);
    const dst = b.typedArrayFromHeap(out);
    dst.fill(constantValue);
    if (tf.util.sizeFromShape(x.shape) === 0) return out;
    const src = b.typedArrayFromHeap(x);
    const outStrides = tf.util.computeStrides(outShape);
    const run = x.shape[rank - 1]!;
    let to = paddings[rank - 1]![0];
    for (let a = 0; a < rank - 1; a++) to += paddings[a]![0] * outStrides[a]!;
    // Odometer over the input's rows; `to` follows the row's start in the output.
    const idx = new Array<number>(rank - 1).fill(0);
    for (let from = 0; from < src.length; from += run) {
      dst.set(src.subarray(from, from + run), to);
      for (let a = rank - 2; a >= 0; a--) {
        to += outStrides[a]!;
        if (++idx[a]! < x.shape[a]!) break;
        to -= x.shape[a]! * outStrides[a]!;
        idx[a] = 0;
      }
    }
    return out;
  };
}

/** The replacements, each given tfjs's own kernel for the ranks it gets right. */
export function highRankKernels(stock: (name: string) => tf.KernelFunc): { name: string; kernelFunc: tf.KernelFunc }[] {
  return [
    ...BINARY_KERNELS.map((name) => ({ name, kernelFunc: binaryAnyRank(name, stock) })),
    { name: tf.PadV2, kernelFunc: padAnyRank(stock) },
  ];
}
