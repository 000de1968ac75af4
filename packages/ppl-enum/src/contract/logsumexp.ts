/**
 * Stable log-space reductions. The shift is clamped to the most negative
 * finite float, so an all -Infinity slice gives -Infinity (tfjs's logSumExp
 * gives NaN) and the gradient there is 0, not NaN.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "ppl-core/internal";
import { logMatMulForward, logMatMulPlan, reduceTo } from "./log-matmul.js";

const MOST_NEGATIVE = -3.4e38;

/** log Σ exp over the last axis of x. No gradient (decoding paths). */
export function logSumExpLast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.maximum(x.max(-1, true), MOST_NEGATIVE);
    return x.sub(m).exp().sum(-1).log().add(m.squeeze([-1]));
  });
}

/** Sum `terms` (already broadcastable to `jointShape`) and reduce the last axis. */
function addAll(terms: readonly tf.Tensor[]): tf.Tensor {
  let joint = terms[0]!;
  for (let i = 1; i < terms.length; i++) joint = joint.add(terms[i]!);
  return joint;
}

export function jointOf(terms: readonly tf.Tensor[], jointShape: readonly number[]): tf.Tensor {
  const joint = addAll(terms);
  return joint.shape.length === jointShape.length && joint.shape.every((d, i) => d === jointShape[i])
    ? joint
    : tf.broadcastTo(joint, [...jointShape]);
}

/**
 * log Σ_last exp(Σ_i terms_i) as one differentiable op: the tape records one
 * node instead of ~10, which matters because the seed HMM runs hundreds of
 * these per step. Large joints whose terms split in two groups go through a
 * scaled matMul (log-matmul.ts) and never build the joint; the rest build it.
 */
export function logSumProduct(terms: readonly tf.Tensor[], jointShape: readonly number[]): tf.Tensor {
  const outShape = jointShape.slice(0, -1);
  const plan = logMatMulPlan(terms.map((t) => t.shape), jointShape);
  const op = customGradient<tf.Tensor[]>((xs, save) =>
    (plan !== null ? logMatMulForward(xs, plan, outShape, save) : null) ?? jointForward(xs, jointShape, save));
  return op(...terms);
}

/**
 * The joint built and reduced. Gradient to each term: the softmax weights
 * summed over the axes that term was broadcast along.
 */
function jointForward(xs: readonly tf.Tensor[], jointShape: readonly number[], save: tf.GradSaveFunc): { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] } {
  const outShape = jointShape.slice(0, -1);
  const joint = jointOf(xs, jointShape);
  const m = tf.maximum(joint.max(-1, true), MOST_NEGATIVE);
  const lse = joint.sub(m).exp().sum(-1, true).log().add(m);
  save([joint, lse]);
  return {
    value: lse.reshape(outShape),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [j, l] = saved as [tf.Tensor, tf.Tensor];
      const w = j.sub(tf.maximum(l, MOST_NEGATIVE)).exp().mul(dy.reshape([...outShape, 1]));
      // each input gets its own tensor: the tape disposes an input's gradient once it is accumulated,
      // so one tensor handed to two inputs would be disposed under the other
      let handedOut = false;
      return xs.map((x) => {
        const g = reduceTo(w, x.shape);
        if (g !== w) return g;
        if (handedOut) return w.clone();
        handedOut = true;
        return w;
      });
    },
  };
}
