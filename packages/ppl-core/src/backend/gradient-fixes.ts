/**
 * tfjs 4.22 gradients that a model reaches and that are wrong or missing:
 *
 * - Tile: tfjs's stops at rank 4 ("Gradient for tile operation is not
 *   implemented for rank-5 tensors yet") on every backend, and tf.broadcastTo
 *   and a broadcasting tf.where both run Tile, so any rank-5/6 broadcast in a
 *   differentiated model threw. tfjs's version is also one slice + add per
 *   copy; this one is one sum per tiled axis, or one sum in all when only
 *   size-1 axes were tiled (a broadcast).
 * - GatherV2 returns the int32 indices themselves as the indices' gradient,
 *   and UnsortedSegmentSum none for its segment ids, so `locs.gather(z)` threw
 *   whenever z's own history reaches a differentiated param (a z the guide
 *   samples from Categorical(q)). Indices have gradient zero.
 * - Maximum, Minimum and SquaredDifference return dy at the broadcast shape
 *   for an input that was broadcast, so `tf.maximum(x, floor)` with x
 *   smaller than floor threw "The gradient of input 'a' has shape ...". The
 *   gradient is summed back to the input's shape, as Add's is.
 * - Cumsum along any axis but the last transposed its (already right)
 *   gradient, throwing or, for a square shape, returning a wrong one.
 *
 * And one that is slow: Sum's gradient multiplied dy by a ones tensor of the
 * input's shape, made in JS and uploaded every time (17 µs for [8, 392, 2] on
 * wasm, then a broadcasting multiply); it is dy tiled to that shape (the same
 * values: a product with 1 is exact), one Tile (wasm-tile.ts on wasm).
 */
import * as tf from "@tensorflow/tfjs-core";
import { registerBinaryGradients } from "./binary-gradients.js";

/** The gradient of tf.tile(x, reps) for x of shape `xShape`, from dy of the tiled shape. */
export function untile(dy: tf.Tensor, xShape: readonly number[], reps: readonly number[]): tf.Tensor {
  const tiled = reps.flatMap((r, i) => (r > 1 ? [i] : []));
  if (tiled.length === 0) return dy.reshape([...xShape]);
  if (tiled.every((i) => xShape[i] === 1)) return dy.sum(tiled, true);
  // The tiled axis i has length reps[i] * xShape[i], copy-major: fold it as
  // [before, reps, xShape[i] * after] and sum the middle (rank 3 on any input rank).
  let g = dy;
  for (const i of tiled) {
    const before = g.shape.slice(0, i).reduce((a, b) => a * b, 1);
    const after = g.shape.slice(i + 1).reduce((a, b) => a * b, 1);
    const shape = g.shape.map((d, j) => (j === i ? xShape[i]! : d));
    g = g.reshape([before, reps[i]!, xShape[i]! * after]).sum(1).reshape(shape);
  }
  return g;
}

/** tfjs's gradient of `kernelName`, with a float32 zero gradient for its integer input `input`. */
function withZeroGradientFor(kernelName: string, input: string): void {
  const original = tf.getGradient(kernelName);
  // the zero needs the input's shape: tfjs saves it for both kernels fixed here
  const at = original?.inputsToSave?.indexOf(input) ?? -1;
  if (original === undefined || at < 0) return;
  tf.registerGradient({
    ...original,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
      ...original.gradFunc(dy, saved, attrs),
      [input]: () => tf.zeros(saved[at]!.shape, "float32"),
    }),
  });
}

/** dy summed over the axes `shape` was broadcast along, in `shape`. */
function unbroadcast(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], dy.shape);
  return (axes.length > 0 ? dy.sum(axes) : dy).reshape([...shape]);
}

/** tfjs's gradient of the binary `kernelName` with each input's gradient summed back to its shape. */
function unbroadcastGradient(kernelName: string): void {
  const original = tf.getGradient(kernelName);
  if (original === undefined) return;
  tf.registerGradient({
    ...original,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return { a: () => unbroadcast(grads.a!(), a.shape), b: () => unbroadcast(grads.b!(), b.shape) };
    },
  });
}

let done = false;

/** Replace the gradients above (idempotent). */
export function registerGradientFixes(): void {
  if (done) return;
  done = true;
  tf.registerGradient({
    kernelName: tf.Tile,
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const x = saved[0]!;
      const reps = (attrs as unknown as tf.TileAttrs).reps;
      return { x: () => untile(dy as tf.Tensor, x.shape, reps) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Cumsum,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const { axis, exclusive, reverse } = attrs as unknown as tf.CumsumAttrs;
      return { x: () => tf.cumsum(dy as tf.Tensor, axis, exclusive, !reverse) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const x = saved[0]!;
      const kept = [...x.shape];
      for (const a of tf.util.parseAxisParam((attrs as unknown as tf.SumAttrs).axis, x.shape)) kept[a] = 1;
      const g = (dy as tf.Tensor).reshape(kept);
      // float32 as tfjs's (its product with float32 ones)
      return { x: () => tf.broadcastTo(g.dtype === "float32" ? g : g.cast("float32"), x.shape) };
    },
  });
  registerBinaryGradients();
  for (const kernelName of [tf.Maximum, tf.Minimum, tf.SquaredDifference]) unbroadcastGradient(kernelName);
  withZeroGradientFor(tf.GatherV2, "indices");
  withZeroGradientFor(tf.UnsortedSegmentSum, "segmentIds");
}
