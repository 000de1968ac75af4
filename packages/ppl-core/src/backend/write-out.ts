/**
 * A tensor on the wasm heap broadcast (or tiled) into a larger one, written
 * out in JS: what ppl's wasm kernels hand XNNPACK in place of a broadcast it
 * runs slowly (wasm-high-rank.ts) and its Tile kernel (wasm-tile.ts).
 */

import type * as tf from "@tensorflow/tfjs-core";
import { PPLSupportError } from "../errors.js";

/** A typed view of a tensor's bytes on the wasm heap. */
export type HeapView = Float32Array | Int32Array | Uint8Array;

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapView;
  disposeData(dataId: unknown): unknown;
}

export function asHeap(backend: unknown, kernel: string): WasmHeap {
  const b = backend as Partial<WasmHeap>;
  if (typeof b.makeOutput !== "function" || typeof b.typedArrayFromHeap !== "function" || typeof b.disposeData !== "function") {
    throw new PPLSupportError(`ppl's wasm ${kernel} kernel ran on a backend without makeOutput/typedArrayFromHeap/disposeData`);
  }
  return b as WasmHeap;
}

/**
 * `src` broadcast to `dims` (its element strides: 0 along a broadcast dim) into
 * `dst`, row-major: a broadcast dim writes one block and doubles it with
 * copyWithin, so a run of 2 repeated 392 times is 9 copies, not 784 stores.
 */
export function writeOut(dst: HeapView, src: HeapView, dims: readonly number[], strides: readonly number[]): void {
  const rank = dims.length;
  const block = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) block[d] = block[d + 1]! * dims[d]!;
  const fill = (d: number, from: number, to: number): void => {
    const n = dims[d]!;
    const st = strides[d]!;
    if (d === rank - 1) copyRun(dst, src, from, to, n, st);
    else if (st === 0) {
      fill(d + 1, from, to);
      repeatBlock(dst, to, block[d + 1]!, n);
    } else if (d === rank - 2) copyRows(dst, src, from, to, n, st, dims[d + 1]!, strides[d + 1]!);
    else for (let i = 0; i < n; i++) fill(d + 1, from + i * st, to + i * block[d + 1]!);
  };
  fill(0, 0, 0);
}

// The loops live in functions of their own with nothing after them: V8 compiles a hot loop on the stack before the
// code after it has type feedback, and an access after the loop deoptimised it on every call (normal-logprob.ts).

/** n elements from src (stride st) to dst at `to`. */
function copyRun(dst: HeapView, src: HeapView, from: number, to: number, n: number, st: number): void {
  if (st === 1) dst.set(src.subarray(from, from + n), to);
  else for (let c = 0; c < n; c++) dst[to + c] = src[from + c * st]!;
}

/** `rows` runs of `inner` elements (source strides rowStride and st) to consecutive runs of dst. */
function copyRows(dst: HeapView, src: HeapView, from: number, to: number, rows: number, rowStride: number, inner: number, st: number): void {
  for (let r = 0; r < rows; r++) {
    const at = from + r * rowStride;
    const o = to + r * inner;
    for (let c = 0; c < inner; c++) dst[o + c] = src[at + c * st]!;
  }
}

/** dst[at, at + len) repeated to fill `times` blocks, doubling what is written each copy. */
function repeatBlock(dst: HeapView, at: number, len: number, times: number): void {
  const total = len * times;
  for (let have = len; have < total; have += Math.min(have, total - have)) dst.copyWithin(at + have, at, at + Math.min(have, total - have));
}
