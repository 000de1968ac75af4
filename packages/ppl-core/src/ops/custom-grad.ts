/** A typed front for tf.customGrad: f receives its tensor inputs and a save function. */
import * as tf from "@tensorflow/tfjs-core";

export interface CustomGradResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

export function customGradient<I extends tf.Tensor[]>(
  f: (inputs: I, save: tf.GradSaveFunc) => CustomGradResult,
): (...inputs: I) => tf.Tensor {
  const wrapped = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as I, save);
  }) as Parameters<typeof tf.customGrad>[0]);
  return wrapped as unknown as (...inputs: I) => tf.Tensor;
}
