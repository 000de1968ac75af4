/**
 * Sum on tfjs-backend-wasm 4.22 over any axis but the last transposes the
 * input first (a Transpose and a tensor more): [8, 392, 2] summed over axis 1,
 * a broadcast multiply's gradient, took 47 µs where the sums read in place in
 * JS take ~10 µs. ppl's reads each output's elements in the order tfjs's
 * kernel does after its transpose (the reduced axes innermost, row-major) and
 * adds them one by one in float32, as it does: the same numbers.
 */
import * as tf from "@tensorflow/tfjs-core";
import { offsets } from "../ops/broadcast-index.js";
import { input } from "./wasm-slice.js";
import { type HeapView, asHeap } from "./write-out.js";

function sumInPlace(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = input(args.inputs, "x");
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const heap = asHeap(args.backend, tf.Sum);
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptAxes.map((i) => x.shape[i]!);
  // Allocate before taking views: malloc may grow the heap, which detaches every view of it.
  const out = heap.makeOutput(outShape, "float32");
  const strides = [...tf.util.computeStrides(x.shape), 1];
  const base = offsets(keptAxes.map((i) => x.shape[i]!), keptAxes.map((i) => strides[i]!));
  const within = offsets(axes.map((i) => x.shape[i]!), axes.map((i) => strides[i]!));
  sumRows(heap.typedArrayFromHeap(out), heap.typedArrayFromHeap(x), base, within);
  return out;
}

// The loop in a function of its own with nothing after it (see write-out.ts).
function sumRows(dst: HeapView, src: HeapView, base: Int32Array, within: Int32Array): void {
  for (let o = 0; o < base.length; o++) {
    const b = base[o]!;
    let acc = 0;
    for (let k = 0; k < within.length; k++) acc = Math.fround(acc + src[b + within[k]!]!);
    dst[o] = acc;
  }
}

/** The replacement: float32 sums over some axes; anything else (int32, no axes) is tfjs's. */
export function sumKernel(stock: (name: string) => tf.KernelFunc): { name: string; kernelFunc: tf.KernelFunc } {
  return {
    name: tf.Sum,
    kernelFunc: (args) => {
      const x = input(args.inputs, "x");
      const axes = tf.util.parseAxisParam((args.attrs as unknown as tf.SumAttrs).axis, x.shape);
      return x.dtype === "float32" && axes.length > 0 && tf.util.sizeFromShape(x.shape) > 0 ? sumInPlace(args) : stock(tf.Sum)(args);
    },
  };
}
