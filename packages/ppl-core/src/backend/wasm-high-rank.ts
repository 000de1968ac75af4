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
 * The same kernels are slow with many short runs (see SHORT_RUN below): an
 * input broadcast that way is written out first, at any rank.
 *
 * Rank ≤ 6 goes to tfjs's kernel unchanged otherwise. Above, a binary op first merges
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
import { collapseBroadcast } from "../ops/broadcast-index.js";
import { input } from "./wasm-slice.js";
import { type WasmHeap, asHeap, writeOut } from "./write-out.js";

/** The highest rank XNNPACK's `*_nd` operators take (XNN_MAX_TENSOR_DIMS in tfjs-backend-wasm 4.22's build). */
export const XNN_MAX_RANK = 6;

type KernelArgs = Parameters<tf.KernelFunc>[0];

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
  const { dims, strides } = collapseBroadcast(out, [x.shape]);
  writeOut(b.typedArrayFromHeap(full), b.typedArrayFromHeap(x), dims, strides[0]!);
  return full;
}

/**
 * XNNPACK's broadcasting `*_nd` operators run their inner loop once per run of
 * the output's last merged dim (~13 ns a run on top of the arithmetic): a
 * [392, 2] × [8, 1, 2] product is 3 136 runs of 2, 90 µs where the same
 * product without broadcasting is 9 µs, and tfjs's Sum gradient multiplies a
 * [..., 1] by ones the same way. Writing a broadcast input out to the output's
 * shape costs ~2 ns an element and a few µs a tensor: it pays for runs this
 * short once there are this many per input written (measured on 2-dim cases).
 */
const SHORT_RUN = 2;
const MANY_RUNS = 384;

/** How many runs XNNPACK loops over for these merged dims if they are short, else 0. */
function shortRuns(dims: readonly number[], size: number): number {
  const inner = dims[dims.length - 1]!;
  return inner <= SHORT_RUN ? size / inner : 0;
}

/** Which inputs to write out first (by position), and the merged dims and strides the kernel then runs on. */
interface Plan {
  readonly write: readonly number[];
  readonly dims: number[];
  readonly strides: number[][];
}

/**
 * The fewest inputs to write out for XNNPACK to take the shapes (rank ≤ 6),
 * and more only while the short runs they save pay for writing them.
 */
function plan(shapes: readonly (readonly number[])[], out: number[], size: number): Plan {
  const broadcast = [0, 1].filter((i) => tf.util.sizeFromShape(shapes[i] as number[]) !== size);
  const choices = [[], ...broadcast.map((i) => [i]), ...(broadcast.length > 1 ? [broadcast] : [])];
  let taken: Plan | undefined;
  for (const write of choices) {
    const candidate = { write, ...collapseBroadcast(out, shapes.map((s, i) => (write.includes(i) ? out : s))) };
    if (candidate.dims.length > XNN_MAX_RANK) continue;
    if (taken !== undefined && shortRuns(taken.dims, size) < MANY_RUNS * (write.length - taken.write.length)) return taken;
    taken ??= candidate;
    if (shortRuns(candidate.dims, size) < MANY_RUNS) return candidate;
  }
  // with every broadcast input written out the dims merge to one: some choice is taken
  return taken!;
}

/**
 * A binary kernel that hands XNNPACK shapes it takes well: above rank 6, or
 * with many short broadcast runs, the inputs folded to their merged dims after
 * writing out the ones `plan` picks.
 */
function binaryAnyRank(name: string, stock: (name: string) => tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const a = input(args.inputs, "a");
    const b = input(args.inputs, "b");
    const lowRank = a.shape.length <= XNN_MAX_RANK && b.shape.length <= XNN_MAX_RANK;
    // every small op comes here: decided without allocating (a step's garbage is a step's GC)
    if (lowRank && !mayRunShort(a.shape, b.shape)) return stock(name)(args);
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = tf.util.sizeFromShape(out);
    if (size === 0) return stock(name)(args);
    const inputs = [a, b] as const;
    const { write, dims, strides } = plan(inputs.map((x) => x.shape), out, size);
    if (write.length === 0 && lowRank) return stock(name)(args);
    const heap = asHeap(args.backend, name);
    const written = inputs.map((x, i) => (write.includes(i) ? materialise(heap, x, out) : x));
    try {
      const fold = (st: readonly number[]): number[] => dims.map((d, k) => (st[k] === 0 ? 1 : d));
      const result = stock(name)({ ...args, inputs: { a: reshaped(written[0]!, fold(strides[0]!)), b: reshaped(written[1]!, fold(strides[1]!)) } });
      return reshaped(result as tf.TensorInfo, out);
    } finally {
      for (const i of write) heap.disposeData(written[i]!.dataId);
    }
  };
}

/**
 * Whether XNNPACK may loop over many short runs: some input broadcast (neither
 * one element nor the output's size), at least MANY_RUNS elements, and the
 * output's last dim above 1 no longer than SHORT_RUN (merged runs are no
 * shorter than it).
 */
function mayRunShort(a: readonly number[], b: readonly number[]): boolean {
  let size = 1;
  let sa = 1;
  let sb = 1;
  let last = 0;
  for (let i = 1; i <= Math.max(a.length, b.length); i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    const d = da === 1 ? db : da;
    size *= d;
    sa *= da;
    sb *= db;
    if (last === 0 && d !== 1) last = d;
  }
  return size >= MANY_RUNS && last <= SHORT_RUN && ((sa !== 1 && sa !== size) || (sb !== 1 && sb !== size));
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
