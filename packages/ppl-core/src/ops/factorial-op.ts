/**
 * The factorial chain kernel's log form as one differentiable tfjs op: log Σ
 * over every joint path of M chains that meet only in per-step factors, with
 * the posterior pass as its gradient (see factorial-kernel.ts for the
 * layout: the per-step factors on the product state, each chain's
 * transitions apart). The backward pass reuses the forward messages, kept as
 * plain arrays in the closure.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";
import { type FactorialSweep, factorialForward, factorialLayout, factorialPosteriors } from "./factorial-kernel.js";
import { copyInto, writeTensor, writeTensors } from "./kernel-io.js";

/** unary [Bu, n, Π K_m], pairs[m] [Bp_m, Tp_m, K_m, K_m] -> [B]; differentiable in every input. */
export function factorialLogSumExp(unary: tf.Tensor, pairs: readonly tf.Tensor[]): tf.Tensor {
  const L = factorialLayout(unary.shape, pairs.map((p) => p.shape), "factorialLogSumExp");
  const op = customGradient<tf.Tensor[]>((inputs) => {
    let sw: FactorialSweep | undefined;
    const value = writeTensor([L.B], inputs, (logZ, [u, ...ps]) => {
      sw = factorialForward(L, u!, ps);
      copyInto(logZ, sw.logZ);
    });
    const shapes = inputs.map((x) => x.shape);
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        writeTensors(shapes, [dy], ([gu, ...gps], [w]) => {
          const g = factorialPosteriors(sw!, w!);
          copyInto(gu!, g.unary);
          gps.forEach((gp, m) => copyInto(gp, g.pairs[m]!));
        }),
    };
  });
  return op(unary, ...pairs);
}
