/**
 * `splitRows(x)`: the rows of x along axis 0 as separate tensors, as one
 * multi-output op. tf.unstack slices once per row, and wasm's Slice reads
 * the WHOLE input back from the heap for every slice: the 32 rows of a
 * [32, 16, 32, 32] batch of emission log-probs took 50-150 ms, against ~2 ms
 * for one read and a copy per row. The gradient is one stack of the rows'
 * gradients (a zero row for a row nobody read), as tf.unstack's.
 */
import * as tf from "@tensorflow/tfjs-core";

const KERNEL = "PplSplitRows";
const registered = new Set<string>();

/** The part of a tfjs backend the kernel uses (every backend has both). */
interface RowBackend {
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  write(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: tf.DataType): object;
}

function splitKernel({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = inputs.x!;
  const b = backend as unknown as RowBackend;
  const n = x.shape[0]!;
  const rowShape = x.shape.slice(1);
  const size = rowShape.reduce((p, q) => p * q, 1);
  const values = b.readSync(x.dataId) as Float32Array | Int32Array | Uint8Array;
  const out: tf.TensorInfo[] = [];
  for (let i = 0; i < n; i++) {
    const row = values.slice(i * size, (i + 1) * size);
    out.push({ dataId: b.write(row, rowShape, x.dtype), shape: rowShape, dtype: x.dtype });
  }
  return out;
}

function ensureRegistered(): void {
  const name = tf.getBackend();
  if (registered.has(name)) return;
  if (registered.size === 0) {
    tf.registerGradient({
      kernelName: KERNEL,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => (Array.isArray(dy) ? tf.stack(dy) : dy.expandDims(0)) }),
    });
  }
  tf.registerKernel({ kernelName: KERNEL, backendName: name, kernelFunc: splitKernel as unknown as tf.KernelFunc });
  registered.add(name);
}

export function splitRows(x: tf.Tensor): tf.Tensor[] {
  if (x.rank === 0 || x.dtype === "string" || x.dtype === "complex64") return tf.unstack(x);
  ensureRegistered();
  const out = tf.engine().runKernel(KERNEL, { x } as unknown as tf.NamedTensorMap, {});
  return Array.isArray(out) ? out : [out];
}
