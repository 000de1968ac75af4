/**
 * Slice, StridedSlice, Unpack and SplitV for tfjs-backend-wasm that copy only
 * the slice's span out of the wasm heap.
 *
 * tfjs-backend-wasm 4.22's Slice starts with `backend.readSync(x.dataId)`,
 * which copies the WHOLE input out of the heap for every slice; Unpack,
 * SplitV and StridedSlice's contiguous path call that Slice once per output.
 * So `tf.unstack` of a [64, 32, 32, 16] float32 tensor copied 64 × 4 MiB
 * (~200 ms) to return 4 MiB. These kernels read the input through a view of
 * the heap (`typedArrayFromHeap`) and copy the span row run by row run.
 *
 * StridedSlice's strided (non-contiguous) path is also wrong for int32 and
 * bool: it always makes a float32 output and copies the input's bits into it;
 * here those dtypes are picked in JS.
 *
 * Only the kernels are replaced: the gradients are registered by kernel name
 * (Slice's is a Pad, Unpack's a Stack, ...) and stay tfjs's. Strings, and
 * StridedSlice's identity path and float32 strided path, go to the stock
 * kernel, which does not read the input back in those cases (or, for strings,
 * has to).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLSupportError } from "../errors.js";

type HeapView = Float32Array | Int32Array | Uint8Array;

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapView;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function asHeap(backend: unknown, kernel: string): HeapBackend {
  const b = backend as Partial<HeapBackend>;
  if (typeof b.makeOutput !== "function" || typeof b.typedArrayFromHeap !== "function") {
    throw new PPLSupportError(`ppl's wasm ${kernel} kernel ran on a backend without makeOutput/typedArrayFromHeap`);
  }
  return b as HeapBackend;
}

/** A kernel's named input (tfjs passes them by name; a missing one is tfjs's bug, said plainly). */
export function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new PPLSupportError(`tfjs called a kernel without its input '${name}'`);
  return t;
}

/** The dtypes whose heap bytes are a plain typed array (strings live in JS, complex64 is not on wasm). */
function onHeap(dtype: tf.DataType): boolean {
  return dtype === "float32" || dtype === "int32" || dtype === "bool";
}

/**
 * Copy x[begin : begin + size] (row-major) into dst. The trailing axes the
 * slice takes whole fold into one contiguous run with the innermost axis it
 * cuts, so a slice along axis 0 is a single copy.
 */
export function copySpan(src: HeapView, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapView): void {
  const rank = shape.length;
  let axis = rank - 1;
  let run = 1;
  while (axis >= 0 && size[axis] === shape[axis]) run *= shape[axis--]!;
  if (axis < 0) {
    dst.set(src.subarray(0, run));
    return;
  }
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= shape[a]!;
  }
  run *= size[axis]!;
  let from = 0;
  for (let a = 0; a <= axis; a++) from += begin[a]! * strides[a]!;
  let runs = 1;
  for (let a = 0; a < axis; a++) runs *= size[a]!;
  // Odometer over the cut axes outside `axis`; `from` follows it.
  const idx = new Array<number>(axis).fill(0);
  let to = 0;
  for (let r = 0; r < runs; r++) {
    if (run >= 16) dst.set(src.subarray(from, from + run), to);
    else for (let k = 0; k < run; k++) dst[to + k] = src[from + k]!;
    to += run;
    for (let a = axis - 1; a >= 0; a--) {
      from += strides[a]!;
      if (++idx[a]! < size[a]!) break;
      from -= size[a]! * strides[a]!;
      idx[a] = 0;
    }
  }
}

/** dst[o] = x[begin + o · step] over the output's row-major multi-indices o (StridedSlice's general case). */
export function copyStrided(
  src: HeapView, shape: readonly number[], begin: readonly number[], step: readonly number[], outShape: readonly number[], dst: HeapView,
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= shape[a]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let from = 0;
  for (let a = 0; a < rank; a++) from += begin[a]! * strides[a]!;
  for (let o = 0; o < dst.length; o++) {
    dst[o] = src[from]!;
    for (let a = rank - 1; a >= 0; a--) {
      from += step[a]! * strides[a]!;
      if (++idx[a]! < outShape[a]!) break;
      from -= outShape[a]! * step[a]! * strides[a]!;
      idx[a] = 0;
    }
  }
}

/** A new wasm tensor of shape outShape holding x[begin : begin + size]. */
function sliceOut(b: HeapBackend, x: tf.TensorInfo, begin: readonly number[], size: readonly number[], outShape: number[]): tf.TensorInfo {
  // Allocate before taking views: malloc may grow the heap, which detaches every view of it.
  const out = b.makeOutput(outShape, x.dtype);
  if (size.some((s) => s === 0)) return out;
  copySpan(b.typedArrayFromHeap(x), x.shape, begin, size, b.typedArrayFromHeap(out));
  return out;
}

/** The replaced kernels, each given tfjs's own kernel for the cases it hands back. */
export function spanSliceKernels(stock: (name: string) => tf.KernelFunc): { name: string; kernelFunc: tf.KernelFunc }[] {
  const slice: tf.KernelFunc = (args: KernelArgs) => {
    const x = input(args.inputs, "x");
    if (!onHeap(x.dtype)) return stock(tf.Slice)(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    return sliceOut(asHeap(args.backend, tf.Slice), x, b, s, s);
  };

  const stridedSlice: tf.KernelFunc = (args: KernelArgs) => {
    const x = input(args.inputs, "x");
    const a = args.attrs as unknown as tf.StridedSliceAttrs;
    if (!onHeap(x.dtype)) return stock(tf.StridedSlice)(args);
    const info = tf.slice_util.sliceInfo(
      x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask,
    );
    // Identity is a reshape: it does not read the input back.
    if (info.isIdentity) return stock(tf.StridedSlice)(args);
    const b = asHeap(args.backend, tf.StridedSlice);
    const n = tf.util.sizeFromShape(info.finalShape);
    if (n === 0) return b.makeOutput(info.finalShape, x.dtype);
    if (!(info.sliceDim0 || info.isSimpleSlice)) {
      // tfjs's strided pick runs in wasm's C++ and is right for float32; for int32 and bool it
      // returns a float32 tensor holding the input's bits (int32 [1, 3, 5] read back as 1.4e-45, ...).
      if (x.dtype === "float32" || info.finalShapeSparse.length !== x.shape.length) return stock(tf.StridedSlice)(args);
      const out = b.makeOutput(info.finalShape, x.dtype);
      copyStrided(b.typedArrayFromHeap(x), x.shape, info.begin, info.strides, info.finalShapeSparse, b.typedArrayFromHeap(out));
      return out;
    }
    const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
    if (size.some((s) => s < 0) || tf.util.sizeFromShape(size) !== n) return stock(tf.StridedSlice)(args);
    return sliceOut(b, x, info.begin, size, info.finalShape);
  };

  const unpack: tf.KernelFunc = (args: KernelArgs) => {
    const x = input(args.inputs, "value");
    if (!onHeap(x.dtype)) return stock(tf.Unpack)(args);
    const b = asHeap(args.backend, tf.Unpack);
    const rank = x.shape.length;
    let { axis } = args.attrs as unknown as tf.UnpackAttrs;
    if (axis < 0) axis += rank;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = x.shape.slice();
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      begin[axis] = i;
      outs.push(sliceOut(b, x, begin, size, outShape));
    }
    return outs;
  };

  const splitV: tf.KernelFunc = (args: KernelArgs) => {
    const x = input(args.inputs, "x");
    if (!onHeap(x.dtype)) return stock(tf.SplitV)(args);
    const b = asHeap(args.backend, tf.SplitV);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const out = sliceOut(b, x, begin, size, size);
      begin[ax]! += s;
      return out;
    });
  };

  return [
    { name: tf.Slice, kernelFunc: slice },
    { name: tf.StridedSlice, kernelFunc: stridedSlice },
    { name: tf.Unpack, kernelFunc: unpack },
    { name: tf.SplitV, kernelFunc: splitV },
  ];
}
