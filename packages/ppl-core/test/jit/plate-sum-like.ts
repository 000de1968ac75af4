/** A test helper shared by the fusion tests: a plate sum declared as the contraction declares it. */
import * as tf from "@tensorflow/tfjs";
import { customGradient } from "../../src/ops/custom-grad.js";

/** A sum over `axes` declared as ppl-enum's plateSum declares it (the contraction's sum over a plate), so the recorder can fuse it. */
export function plateSumLike(x: tf.Tensor, axes: number[]): tf.Tensor {
  const shape = x.shape;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return customGradient<[tf.Tensor]>(([input]) => ({
    value: input.sum(axes),
    gradFunc: (dy: tf.Tensor) => dy.reshape(kept).add(tf.zeros(shape)),
  }), { sum: { axes, shape } })(x);
}
