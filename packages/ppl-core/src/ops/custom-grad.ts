/**
 * A typed front for tf.customGrad: f receives its tensor inputs and a save function.
 *
 * The tfjs op is made on each call (tf.customGrad only wraps `f` in a
 * closure), never once at module load: a compiled loss (jit/) sees the
 * custom-gradient function an op runs through `engine.customGrad` while it
 * records, and replays it with the new inputs.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface CustomGradResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

export function customGradient<I extends tf.Tensor[]>(
  f: (inputs: I, save: tf.GradSaveFunc) => CustomGradResult,
): (...inputs: I) => tf.Tensor {
  const forward = ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as I, save);
  }) as Parameters<typeof tf.customGrad>[0];
  return ((...inputs: I) => tf.customGrad(forward)(...inputs)) as (...inputs: I) => tf.Tensor;
}
