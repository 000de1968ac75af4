/**
 * A broadcasting elementwise function of several tensors, computed per
 * element in float64 JS with hand-written partial derivatives, as one
 * differentiable op: for special functions tfjs lacks (Phi, its inverse,
 * Bessel functions), where the tensor form would be long or lose the tails,
 * and for short formulas whose tfjs form is many tiny kernels (a Uniform's
 * log-density, a sigmoid's log-Jacobian). The backward pass is JS too: each
 * input's gradient is Σ dy · partial over the elements it was broadcast to.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";
import { broadcastIndex } from "./broadcast-index.js";
import { broadcastShapes } from "./tensor.js";

/**
 * `f(xs, partials)` returns the value at one element and writes d value / d xs[i]
 * into `partials[i]` (left 0 when unset). `what` names the op in shape errors.
 */
export type ElementwiseFn = (xs: readonly number[], partials: number[]) => number;

/** Apply `f` elementwise over the broadcast of `inputs`; gradients flow to every input. */
export function elementwiseOp(what: string, f: ElementwiseFn, inputs: readonly tf.Tensor[]): tf.Tensor {
  const op = customGradient<tf.Tensor[]>((ins) => {
    const full = broadcastShapes(ins.map((t) => t.shape), what);
    const n = full.reduce((a, b) => a * b, 1);
    const data = ins.map((t) => t.dataSync());
    const index = ins.map((t) => broadcastIndex(t.shape, full));
    const out = new Float32Array(n);
    const partialsAt = ins.map(() => new Float64Array(n));
    const xs = new Array<number>(ins.length);
    const partials = new Array<number>(ins.length);
    for (let o = 0; o < n; o++) {
      for (let k = 0; k < ins.length; k++) {
        const ix = index[k];
        xs[k] = data[k]![ix === null ? o : ix[o]!]!;
        partials[k] = 0;
      }
      out[o] = f(xs, partials);
      for (let k = 0; k < ins.length; k++) partialsAt[k]![o] = partials[k]!;
    }
    return {
      value: tf.tensor(out, full),
      gradFunc: (dy: tf.Tensor) => {
        const w = dy.dataSync();
        return ins.map((t, k) => tf.tensor(gradientOf(w, partialsAt[k]!, index[k]!, t.size), t.shape));
      },
    };
  });
  return op(...inputs);
}

/** Σ dy · partial onto an input's elements (its broadcast index), summed in float64. */
function gradientOf(dy: ArrayLike<number>, partial: Float64Array, index: Int32Array | null, size: number): Float32Array {
  const acc = new Float64Array(size);
  for (let o = 0; o < partial.length; o++) acc[index === null ? o : index[o]!]! += dy[o]! * partial[o]!;
  return Float32Array.from(acc);
}
