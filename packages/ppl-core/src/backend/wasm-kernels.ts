/**
 * The kernel and gradient gaps of tfjs 4.22 that a model's gradient reaches,
 * filled once at backend setup (`registerKernelGaps`).
 *
 * Found by differentiating ~80 common ops on cpu and wasm: on wasm,
 * x.gather(i) (and unsortedSegmentSum) needs UnsortedSegmentSum, conv1d/conv2d
 * need Conv2DBackpropFilter, depthwise/separable conv need the two
 * DepthwiseConv2dNative backprops; einsum has no wasm kernel at all. On every
 * backend, the Tile gradient stops at rank 4 and gather's breaks when its
 * indices have a history (see gradient-fixes.ts).
 *
 * UnsortedSegmentSum is written here (tfjs's cpu version is built from other
 * cpu kernels). The conv backprops reuse tfjs's own cpu kernels, which are
 * plain loops over `backend.data.get(id).values` returning
 * `backend.makeTensorInfo(...)`: they run on wasm through a two-method adapter.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLSupportError } from "../errors.js";
import { registerGradientFixes } from "./gradient-fixes.js";
import { highRankKernels } from "./wasm-high-rank.js";
import { input, spanSliceKernels } from "./wasm-slice.js";
import { tileKernel } from "./wasm-tile.js";

type Values = Float32Array | Int32Array | Uint8Array;

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  readSync(dataId: unknown): unknown;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Values): tf.TensorInfo;
}

function asWasm(backend: unknown, kernel: string): WasmBackend {
  const b = backend as Partial<WasmBackend>;
  if (typeof b.readSync !== "function" || typeof b.makeOutput !== "function") {
    throw new PPLSupportError(`ppl's wasm ${kernel} kernel ran on a backend without readSync/makeOutput`);
  }
  return b as WasmBackend;
}


/**
 * out[s, ...] = Σ over rows r with segmentIds[r] = s of x[r, ...]; ids outside
 * [0, numSegments) are dropped, as in TensorFlow. Accumulates in float64.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const b = asWasm(backend, "UnsortedSegmentSum");
  const x = input(inputs, "x");
  const ids = input(inputs, "segmentIds");
  const numSegments = (attrs as unknown as tf.UnsortedSegmentSumAttrs).numSegments;
  const xs = b.readSync(x.dataId) as Values;
  const seg = b.readSync(ids.dataId) as Values;
  const tail = x.shape.slice(ids.shape.length);
  const inner = tail.reduce((p, q) => p * q, 1);
  const acc = new Float64Array(numSegments * inner);
  for (let r = 0; r < seg.length; r++) {
    const s = seg[r]!;
    if (s < 0 || s >= numSegments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) acc[to + k]! += xs[from + k]!;
  }
  const out = x.dtype === "int32" ? Int32Array.from(acc) : Float32Array.from(acc);
  return b.makeOutput([numSegments, ...tail], x.dtype, undefined, out);
}

/** Run tfjs's pure-loop cpu kernel `name` on wasm tensors: read inputs from wasm, write the output to wasm. */
function viaCpuLoops(name: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = asWasm(backend, name);
    const cpu = tf.getKernel(name, "cpu");
    if (cpu === undefined) throw new PPLSupportError(`kernel '${name}' is missing on wasm and tfjs's cpu backend is not registered`);
    const adapter = {
      data: { get: (dataId: unknown) => ({ values: b.readSync(dataId) }) },
      makeTensorInfo: (shape: number[], dtype: tf.DataType, values: Values) => b.makeOutput(shape, dtype, undefined, values),
    };
    return cpu.kernelFunc({ inputs, backend: adapter, ...(attrs === undefined ? {} : { attrs }) });
  };
}

/**
 * tfjs-backend-wasm 4.22's OneHot writes onValue/offValue as int32 bits
 * whatever the dtype, so `tf.oneHot(i, n, 1, 0, "float32")` reads back 1.4e-45
 * for 1: silently wrong, so it is replaced (not just filled in).
 */
function oneHot({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const b = asWasm(backend, "OneHot");
  const indices = input(inputs, "indices");
  const { depth, onValue, offValue, dtype } = attrs as unknown as tf.OneHotAttrs;
  const idx = b.readSync(indices.dataId) as Values;
  const out = dtype === "float32" ? new Float32Array(idx.length * depth) : new Int32Array(idx.length * depth);
  if (offValue !== 0) out.fill(offValue);
  for (let r = 0; r < idx.length; r++) {
    const k = idx[r]!;
    if (k >= 0 && k < depth) out[r * depth + k] = onValue;
  }
  return b.makeOutput([...indices.shape, depth], dtype, undefined, out);
}

/** Einsum has no wasm kernel (and no gradient anywhere): say what to write instead of tfjs's "not registered". */
function einsumUnavailable(): never {
  throw new PPLSupportError(
    "tf.einsum has no kernel on the wasm backend in tfjs 4.22 (and no gradient on any backend): " +
      "write the contraction with tf.matMul (batched) or as broadcasting mul followed by sum, " +
      "or run on the cpu backend (PPL_BACKEND=cpu) if it is not differentiated",
    { expected: "tf.matMul or mul + sum", actual: "tf.einsum" },
  );
}

const WASM_KERNELS: readonly { name: string; kernelFunc: tf.KernelFunc }[] = [
  { name: tf.UnsortedSegmentSum, kernelFunc: unsortedSegmentSum },
  { name: tf.Conv2DBackpropFilter, kernelFunc: viaCpuLoops(tf.Conv2DBackpropFilter) },
  { name: tf.DepthwiseConv2dNativeBackpropFilter, kernelFunc: viaCpuLoops(tf.DepthwiseConv2dNativeBackpropFilter) },
  { name: tf.DepthwiseConv2dNativeBackpropInput, kernelFunc: viaCpuLoops(tf.DepthwiseConv2dNativeBackpropInput) },
  { name: tf.Einsum, kernelFunc: einsumUnavailable },
];

/** tfjs's own wasm kernels that a replacement hands some cases back to (captured before they are unregistered). */
const stockWasm = new Map<string, tf.KernelConfig>();

function stockKernel(name: string): tf.KernelFunc {
  const config = stockWasm.get(name);
  if (config === undefined) throw new PPLSupportError(`tfjs's wasm backend has no '${name}' kernel for ppl's replacement to fall back to`);
  return config.kernelFunc;
}

/**
 * Kernels tfjs's wasm backend has but computes wrongly (OneHot; the binary
 * ops and PadV2 above rank 6, wasm-high-rank.ts) or far too slowly (the
 * slices, which read the whole input back per slice, wasm-slice.ts; Tile,
 * wasm-tile.ts).
 */
const WASM_REPLACEMENTS: readonly { name: string; kernelFunc: tf.KernelFunc }[] = [
  { name: tf.OneHot, kernelFunc: oneHot },
  ...spanSliceKernels(stockKernel),
  ...highRankKernels(stockKernel),
  tileKernel(stockKernel),
];

let done = false;

/** Register the missing wasm kernels and the gradient fixes (idempotent; a kernel tfjs already has is kept). */
export function registerKernelGaps(): void {
  if (done) return;
  done = true;
  registerGradientFixes();
  const present = new Set(tf.getKernelsForBackend("wasm").map((k) => k.kernelName));
  for (const { name, kernelFunc } of WASM_KERNELS) {
    if (!present.has(name)) tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc });
  }
}

/**
 * Replace the wasm kernels that compute wrongly or slowly; call after the wasm
 * backend's module has registered its own and before the backend initialises
 * (a stock kernel's setupFunc, e.g. StridedSlice's, is kept and runs then).
 */
export function replaceBrokenWasmKernels(): void {
  for (const { name, kernelFunc } of WASM_REPLACEMENTS) {
    const current = tf.getKernel(name, "wasm");
    if (current?.kernelFunc === kernelFunc) continue;
    if (current !== undefined) {
      stockWasm.set(name, { ...current });
      tf.unregisterKernel(name, "wasm");
    }
    const { setupFunc, disposeFunc } = current ?? {};
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      kernelFunc,
      ...(setupFunc === undefined ? {} : { setupFunc }),
      ...(disposeFunc === undefined ? {} : { disposeFunc }),
    });
  }
}
