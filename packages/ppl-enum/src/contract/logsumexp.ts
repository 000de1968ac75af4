/**
 * Stable log-space reductions. The shift is clamped to the most negative
 * finite float, so an all -Infinity slice gives -Infinity (tfjs's logSumExp
 * gives NaN) and the gradient there is 0, not NaN.
 */
import * as tf from "@tensorflow/tfjs";

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
 * these per step. Gradient to each term: the softmax weights summed over the
 * axes that term was broadcast along.
 */
export function logSumProduct(terms: readonly tf.Tensor[], jointShape: readonly number[]): tf.Tensor {
  const outShape = jointShape.slice(0, -1);
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = args.slice(0, -1) as tf.Tensor[];
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
  }) as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...xs: tf.Tensor[]) => tf.Tensor)(...terms);
}

/** Sum `g` over the axes where `shape` has size 1 (same rank), giving `shape`. */
function reduceTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] === 1 && g.shape[i]! > 1) axes.push(i);
  const r = axes.length > 0 ? g.sum(axes, true) : g;
  return r.shape.length === shape.length ? r : r.reshape([...shape]);
}
