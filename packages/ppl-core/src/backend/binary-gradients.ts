/**
 * tfjs 4.22's gradients of Add, Sub, Multiply and RealDiv, without the
 * kernels that change nothing: a float32 input cast to float32 (one Cast per
 * Multiply or RealDiv input, every backward pass) and the reshape of a
 * reduced gradient that a sum with kept dims already has in the input's shape
 * (or of a fresh negation already in it). Each is a kernel dispatch with its
 * tensors and scope, and a step's backward pass of a small model ran ~8 of
 * them. The values are tfjs's: the same kernels compute them.
 *
 * A gradient that would be dy itself (an input of the output's shape in an
 * Add or Sub) is still a reshape of it, as tfjs's: the backward pass disposes
 * a gradient when it adds another to it, so two inputs must not share one tensor.
 */
import * as tf from "@tensorflow/tfjs-core";

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

const asFloat = (t: tf.Tensor): tf.Tensor => (t.dtype === "float32" ? t : t.cast("float32"));

/** g (of the output's shape) summed over the axes `shape` was broadcast along; undefined when there are none. */
function reduced(g: tf.Tensor, shape: readonly number[]): tf.Tensor | undefined {
  const axes = tf.backend_util.getReductionAxes([...shape], g.shape);
  if (axes.length === 0) return undefined;
  // kept dims give the input's shape when the ranks agree: no reshape
  const s = g.sum(axes, g.rank === shape.length);
  return sameShape(s.shape, shape) ? s : s.reshape([...shape]);
}

/** A fresh gradient of `shape` from g: reduced, or g itself when nothing is summed (for a tensor made for this input). */
const reducedOrSelf = (g: tf.Tensor, shape: readonly number[]): tf.Tensor => reduced(g, shape) ?? g;

/** dy reduced to `shape`, or a reshape of dy (a tensor of its own) when nothing is summed. */
const reducedOrAlias = (dy: tf.Tensor, shape: readonly number[]): tf.Tensor => reduced(dy, shape) ?? dy.reshape([...shape]);

type Saved = [tf.Tensor, tf.Tensor];

const GRADIENTS: readonly { kernelName: string; gradFunc: (dy: tf.Tensor, saved: Saved) => Record<string, () => tf.Tensor> }[] = [
  { kernelName: tf.Add, gradFunc: (dy, [a, b]) => ({ a: () => reducedOrAlias(dy, a.shape), b: () => reducedOrAlias(dy, b.shape) }) },
  {
    kernelName: tf.Sub,
    gradFunc: (dy, [a, b]) => ({ a: () => reducedOrAlias(dy, a.shape), b: () => (reduced(dy, b.shape) ?? dy).neg() }),
  },
  {
    kernelName: tf.Multiply,
    gradFunc: (dy, [a, b]) => ({ a: () => reducedOrSelf(dy.mul(asFloat(b)), a.shape), b: () => reducedOrSelf(dy.mul(asFloat(a)), b.shape) }),
  },
  {
    kernelName: tf.RealDiv,
    gradFunc: (dy, [a, b]) => ({
      a: () => reducedOrSelf(dy.div(asFloat(b)), a.shape),
      b: () => reducedOrSelf(dy.mul(asFloat(a)), b.shape).div(asFloat(b.square())).neg(),
    }),
  },
];

let done = false;

/** Register the gradients above (idempotent). */
export function registerBinaryGradients(): void {
  if (done) return;
  done = true;
  for (const { kernelName, gradFunc } of GRADIENTS) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => gradFunc(dy as tf.Tensor, saved as Saved),
    });
  }
}
