/**
 * Tile on tfjs-backend-wasm 4.22 walks every output element through a div/mod
 * index per axis: a [3136, 1] → [3136, 2] tile (what tf.broadcastTo runs) took
 * 350 µs, where the same bytes written out in JS take ~12 µs (write-out.ts).
 * ppl-enum's contraction broadcast by adding zeros to avoid it, and tfjs's Sum
 * gradient multiplied by a ones tensor (gradient-fixes.ts now tiles).
 */
import * as tf from "@tensorflow/tfjs-core";
import { input } from "./wasm-slice.js";
import { asHeap, writeOut } from "./write-out.js";

/** tf.tile(x, reps) on the wasm heap: copy-major repeats of x along each axis, as tfjs's Tile. */
function tile(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = input(args.inputs, "x");
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  const heap = asHeap(args.backend, tf.Tile);
  // Allocate before taking views: malloc may grow the heap, which detaches every view of it.
  const out = heap.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  // the output as [reps0, x0, reps1, x1, ...]: x's element strides on its own axes, 0 on the repeats;
  // size-1 axes dropped and neighbours laid out alike merged
  const xStrides = [...tf.util.computeStrides(x.shape), 1];
  const dims: number[] = [];
  const strides: number[] = [];
  const push = (n: number, st: number): void => {
    if (n === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && strides[last] === st * n) {
      dims[last] = dims[last]! * n;
      strides[last] = st;
    } else {
      dims.push(n);
      strides.push(st);
    }
  };
  x.shape.forEach((d, i) => {
    push(reps[i]!, 0);
    push(d, xStrides[i]!);
  });
  if (dims.length === 0) {
    dims.push(1);
    strides.push(0);
  }
  writeOut(heap.typedArrayFromHeap(out), heap.typedArrayFromHeap(x), dims, strides);
  return out;
}

/** The replacement (the string dtype has no heap bytes: tfjs's kernel keeps it). */
export function tileKernel(stock: (name: string) => tf.KernelFunc): { name: string; kernelFunc: tf.KernelFunc } {
  return {
    name: tf.Tile,
    kernelFunc: (args) => (input(args.inputs, "x").dtype === "string" ? stock(tf.Tile)(args) : tile(args)),
  };
}
