/**
 * tfjs records every kernel that runs under a gradient tape, whether or not
 * its inputs lead back to anything being differentiated: each such kernel
 * clones the inputs its gradient would need (one more Identity kernel and
 * tape node each) and the backward pass walks them all to find them
 * unconnected. A model's data handling (the seed HMM slices and reshapes its
 * observations once per time step: 480 of a step's ~660 kernels) pays that
 * on every step. `recordingOnlyFrom` runs `f` with the tape on only for
 * kernels that have an input on a path from `xs` (PyTorch's requires_grad):
 * the tape then holds exactly the nodes that tfjs's own filter
 * (getFilteredNodesXToY) would keep, so the gradients are the same numbers.
 *
 * It also saves the tensors a kernel's gradient needs without copying them.
 * tfjs saves a clone of each (an Identity kernel and a tape node: a third of
 * a small model's kernels); under a single gradient a clone is never
 * differentiated, so the saved tensor can share the input's data (a new
 * reference counted by the backend, as a reshape's output is): kernels never
 * write into their inputs, so it keeps the same values. A second-order
 * gradient needs the clone on the tape (the outer pass differentiates through
 * what the inner one saved), so inside a nested gradient tfjs's clone stays.
 */
import * as tf from "@tensorflow/tfjs-core";

interface KernelParams {
  kernelName?: string;
  inputs?: Record<string, { id: number } | null | undefined>;
}

interface EngineInternals {
  state: { gradientDepth: number; kernelDepth: number };
  backend: { incRef(dataId: object): void };
  runKernelFunc(this: EngineInternals, params: KernelParams): tf.Tensor | tf.Tensor[];
  gradients(this: EngineInternals, f: () => tf.Tensor, xs: tf.Tensor[], ...rest: unknown[]): unknown;
  clone(this: EngineInternals, x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(this: EngineInternals, info: { dataId: object; shape: number[]; dtype: tf.DataType }): tf.Tensor;
}

const PATCHED = ["runKernelFunc", "gradients", "clone"] as const;

/** The ids of tensors on a path from the differentiated tensors, while a filter is installed (nested filters share it). */
let connected: Set<number> | undefined;

export function recordingOnlyFrom<T>(xs: readonly tf.Tensor[], f: () => T): T {
  if (connected !== undefined) {
    for (const x of xs) connected.add(x.id);
    return f();
  }
  const engine = tf.engine() as unknown as EngineInternals;
  const own = Object.prototype.hasOwnProperty;
  // the engine's own (prototype) methods: the patch shadows them on the instance and is removed after
  if (PATCHED.some((m) => own.call(engine, m))) return f();
  // tfjs internals this relies on (4.x): if a tfjs version lays them out otherwise, record everything (same gradients, slower)
  if (PATCHED.some((m) => typeof engine[m] !== "function") || typeof engine.makeTensorFromTensorInfo !== "function"
    || typeof engine.state?.gradientDepth !== "number" || typeof engine.state.kernelDepth !== "number") return f();
  const runKernelFunc = engine.runKernelFunc;
  const gradients = engine.gradients;
  const clone = engine.clone;
  const ids = new Set(xs.map((x) => x.id));
  connected = ids;
  engine.runKernelFunc = function (params) {
    const state = this.state;
    if (state.gradientDepth === 0) return runKernelFunc.call(this, params);
    if (state.kernelDepth > 0) {
      // inside a kernel only the clones tfjs saves for the backward pass matter (a second-order gradient runs
      // that pass on the tape): a clone of a connected tensor is connected
      const out = runKernelFunc.call(this, params);
      if (params.kernelName === "Identity" && hasConnectedInput(params.inputs, ids)) ids.add((out as tf.Tensor).id);
      return out;
    }
    if (!hasConnectedInput(params.inputs, ids)) {
      // no input leads back to xs: run it as tfjs runs kernels inside a kernel, off the tape
      state.kernelDepth++;
      try {
        return runKernelFunc.call(this, params);
      } finally {
        state.kernelDepth--;
      }
    }
    const out = runKernelFunc.call(this, params);
    if (Array.isArray(out)) for (const t of out) ids.add(t.id);
    else ids.add(out.id);
    return out;
  };
  // a gradient taken inside f (higher order) differentiates with respect to its own xs too
  engine.gradients = function (g, gxs, ...rest) {
    for (const x of gxs) ids.add(x.id);
    return gradients.call(this, g, gxs, ...rest);
  };
  // tfjs calls clone only to save a tensor for the backward pass
  engine.clone = function (x) {
    if (this.state.gradientDepth > 1) return clone.call(this, x);
    const saved = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
    this.backend.incRef(x.dataId);
    return saved;
  };
  try {
    return f();
  } finally {
    for (const m of PATCHED) delete (engine as Partial<EngineInternals>)[m];
    connected = undefined;
  }
}

function hasConnectedInput(inputs: KernelParams["inputs"], ids: ReadonlySet<number>): boolean {
  if (inputs == null) return false;
  for (const key in inputs) {
    const t = inputs[key];
    if (t != null && ids.has(t.id)) return true;
  }
  return false;
}
