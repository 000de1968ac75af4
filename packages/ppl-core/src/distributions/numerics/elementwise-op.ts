/**
 * A broadcasting elementwise function of several tensors, computed per
 * element in float64 JS with hand-written partial derivatives, as one
 * differentiable op: for special functions tfjs lacks (Phi, its inverse,
 * Bessel functions), where the tensor form would be long or lose the tails.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "../../ops/custom-grad.js";
import { broadcastIndex } from "../../ops/broadcast-index.js";
import { broadcastShapes } from "../../ops/tensor.js";

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
    const grads = ins.map(() => new Float32Array(n));
    const xs = new Array<number>(ins.length);
    const partials = new Array<number>(ins.length);
    for (let o = 0; o < n; o++) {
      for (let k = 0; k < ins.length; k++) {
        const ix = index[k];
        xs[k] = data[k]![ix === null ? o : ix[o]!]!;
        partials[k] = 0;
      }
      out[o] = f(xs, partials);
      for (let k = 0; k < ins.length; k++) grads[k]![o] = partials[k]!;
    }
    return {
      value: tf.tensor(out, full),
      gradFunc: (dy: tf.Tensor) => ins.map((t, k) => reduceTo(dy.mul(tf.tensor(grads[k]!, full)), t.shape)),
    };
  });
  return op(...inputs);
}

/** Sum a broadcast gradient back to an input's shape. */
function reduceTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return (axes.length > 0 ? g.sum(axes) : g).reshape([...shape]);
}
