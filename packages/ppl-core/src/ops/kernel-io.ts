/**
 * How ppl's JS kernels (the fused log-densities, the mask, the gather) read
 * their inputs and write their outputs. `dataSync` copies a tensor out of the
 * wasm heap and `tf.tensor(values)` copies a new JS array into it: for
 * hmm.py's emissions, a megabyte a step each way, and the arrays were most of
 * a compiled step's garbage. On wasm these read the heap in place and write
 * the outputs straight into memory allocated for them; on other backends
 * (cpu) they fall back to dataSync and tf.tensor.
 *
 * Only for a custom-gradient op's forward and gradient functions: a compiled
 * loss (jit/) replays those whole, so it need not see what they read, while a
 * read anywhere else must go through dataSync for the recorder to see it.
 */
import * as tf from "@tensorflow/tfjs-core";

/** A tensor's values as a JS kernel reads them. */
export type KernelValues = Float32Array | Int32Array | Uint8Array;

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): KernelValues;
}

interface EngineView {
  readonly backend: unknown;
  readonly state: { readonly tensorInfo: { get(dataId: object): { backend: unknown } | undefined } };
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
}

/** The wasm backend when every tensor given lives on it, else undefined. */
function heapFor(tensors: readonly tf.Tensor[]): HeapBackend | undefined {
  const engine = tf.engine() as unknown as EngineView;
  const b = engine.backend as Partial<HeapBackend>;
  if (typeof b.typedArrayFromHeap !== "function" || typeof b.makeOutput !== "function") return undefined;
  for (const t of tensors) if (engine.state.tensorInfo.get(t.dataId)?.backend !== b) return undefined;
  return b as HeapBackend;
}

/**
 * New float32 tensors of `shapes`, filled by `write` from the values of
 * `inputs`. `write` must set every element of every output (the heap memory
 * is not cleared). The views are taken after the outputs are allocated and
 * are valid only while `write` runs: making a tensor can grow the heap and
 * detach them.
 */
export function writeTensors(
  shapes: readonly (readonly number[])[],
  inputs: readonly tf.Tensor[],
  write: (outs: Float32Array[], ins: KernelValues[]) => void,
): tf.Tensor[] {
  if (checkInput !== undefined) return checkedOnly(shapes, inputs, checkInput);
  if (observeInput !== undefined) for (const t of inputs) observeInput(t);
  const heap = heapFor(inputs);
  if (heap === undefined) {
    const outs = shapes.map((s) => new Float32Array(sizeOf(s)));
    write(outs, inputs.map((t) => t.dataSync() as KernelValues));
    return outs.map((o, i) => tf.tensor(o, [...shapes[i]!], "float32"));
  }
  const engine = tf.engine() as unknown as EngineView;
  const infos = shapes.map((s) => heap.makeOutput([...s], "float32"));
  write(infos.map((info) => heap.typedArrayFromHeap(info) as Float32Array), inputs.map((t) => heap.typedArrayFromHeap(t)));
  return infos.map((info) => engine.makeTensorFromTensorInfo(info, heap));
}

/**
 * While a compiled loss's recorder checks an op's gradient function (jit/recorder.ts: run once, to see that it
 * uses only what the op gave it), each kernel's inputs go to `check` and its outputs are zeros: the recorder
 * cannot see what `write` reads (a view of the heap), only which tensors it was given, and the check's values
 * are thrown away, so the arithmetic is not done.
 */
let checkInput: ((t: tf.Tensor) => void) | undefined;
export function checkingInputs<T>(check: (t: tf.Tensor) => void, f: () => T): T {
  const outer = checkInput;
  checkInput = check;
  try {
    return f();
  } finally {
    checkInput = outer;
  }
}

/**
 * While the recorder watches a gradient function run in a backward pass (jit/gradient-checks.ts), each kernel's
 * inputs go to `observe` as well, and the kernel computes as usual.
 */
let observeInput: ((t: tf.Tensor) => void) | undefined;
export function observingInputs<T>(observe: (t: tf.Tensor) => void, f: () => T): T {
  const outer = observeInput;
  observeInput = observe;
  try {
    return f();
  } finally {
    observeInput = outer;
  }
}

function checkedOnly(shapes: readonly (readonly number[])[], inputs: readonly tf.Tensor[], check: (t: tf.Tensor) => void): tf.Tensor[] {
  for (const t of inputs) check(t);
  return shapes.map((s) => tf.zeros([...s], "float32"));
}

/**
 * `use` given the values of `x`: on wasm a view of the heap in place, valid only while `use` runs and makes
 * no tensor (a new tensor can grow the heap and detach it); on other backends its dataSync. For the same
 * places as {@link writeTensors}: a custom-gradient op's forward and gradient functions.
 */
export function readValues<T>(x: tf.Tensor, use: (values: KernelValues) => T): T {
  checkInput?.(x);
  observeInput?.(x);
  const heap = checkInput === undefined ? heapFor([x]) : undefined;
  return use(heap === undefined ? (x.dataSync() as KernelValues) : heap.typedArrayFromHeap(x));
}

/** One new float32 tensor of `shape` filled by `write` (see {@link writeTensors}). */
export function writeTensor(shape: readonly number[], inputs: readonly tf.Tensor[], write: (out: Float32Array, ins: KernelValues[]) => void): tf.Tensor {
  return writeTensors([shape], inputs, (outs, ins) => write(outs[0]!, ins))[0]!;
}

/** Float32 zeros of `shape` (a discrete input's gradient), with no JS array of zeros made and copied. */
export function zerosTensor(shape: readonly number[]): tf.Tensor {
  return writeTensor(shape, [], (out) => out.fill(0));
}

/**
 * A zeroed float64 array of n for a kernel's sums (a gradient summed over a
 * broadcast), one array shared by every kernel: they run one at a time and
 * copy their sums out before returning. Grown when needed, never garbage.
 */
let sums = new Float64Array(0);
export function float64Sums(n: number): Float64Array {
  if (sums.length < n) sums = new Float64Array(Math.max(n, 2 * sums.length));
  const acc = sums.subarray(0, n);
  acc.fill(0);
  return acc;
}

/** float32 `out` from float64 `x` (the sums copied out). */
export function copyInto(out: Float32Array, x: Float64Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = x[i]!;
  return out;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
