/**
 * The chain kernel's log form as one differentiable tfjs op: log Σ over every
 * path of a first-order chain, with the posterior pass as its gradient (see
 * chain-kernel.ts for the layout). The backward pass reuses the forward
 * messages, kept as plain arrays in the closure.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { chainForward, chainLayout, chainPosteriors } from "./chain-kernel.js";
import { customGradient } from "./custom-grad.js";
import { copyInto, writeTensor, writeTensors } from "./kernel-io.js";

/** unary [Bu, n, K], pair [Bp, Tp, K, K] -> [B]; differentiable in both. */
export function chainLogSumExp(unary: tf.Tensor, pair: tf.Tensor): tf.Tensor {
  const L = chainLayout(unary.shape, pair.shape, "chainLogSumExp");
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([u, p]) => {
    let sw: ReturnType<typeof chainForward> | undefined;
    const value = writeTensor([L.B], [u, p], (logZ, [us, ps]) => {
      sw = chainForward(L, us!, ps!);
      copyInto(logZ, sw.logZ);
    });
    const [unaryShape, pairShape] = [u.shape, p.shape];
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        writeTensors([unaryShape, pairShape], [dy], ([gu, gp], [w]) => {
          const g = chainPosteriors(sw!, w!);
          copyInto(gu!, g.unary);
          copyInto(gp!, g.pair);
        }),
    };
  });
  return op(unary, pair);
}
