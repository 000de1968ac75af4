/**
 * The chain kernel's log form as one differentiable tfjs op: log Σ over every
 * path of a first-order chain, with the posterior pass as its gradient (see
 * chain-kernel.ts for the layout). The backward pass reuses the forward
 * messages, kept as plain arrays in the closure.
 */
import * as tf from "@tensorflow/tfjs-core";
import { chainForward, chainLayout, chainPosteriors } from "./chain-kernel.js";
import { customGradient } from "./custom-grad.js";

/** unary [Bu, n, K], pair [Bp, Tp, K, K] -> [B]; differentiable in both. */
export function chainLogSumExp(unary: tf.Tensor, pair: tf.Tensor): tf.Tensor {
  const L = chainLayout(unary.shape, pair.shape, "chainLogSumExp");
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([u, p]) => {
    const sw = chainForward(L, u.dataSync(), p.dataSync());
    return {
      value: tf.tensor1d(Float32Array.from(sw.logZ)),
      gradFunc: (dy: tf.Tensor) => {
        const g = chainPosteriors(sw, dy.dataSync());
        return [tf.tensor(Float32Array.from(g.unary), u.shape), tf.tensor(Float32Array.from(g.pair), p.shape)];
      },
    };
  });
  return op(unary, pair);
}
