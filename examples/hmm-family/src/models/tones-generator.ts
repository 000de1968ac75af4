/**
 * hmm.py's TonesGenerator, the neural emission of model_5 and model_7, as
 * hand-written layers whose weights are param sites (Pyro's
 * `pyro.module("tones_generator", ...)`):
 *
 *   logits = W_out · relu(W_x · onehot(x) + W_y · relu(conv3(y)))
 *
 * x is the (typically enumerated) hidden state, y the previous step's tones;
 * the x part and the y part are computed apart and broadcast together by the
 * addition, so an enumerated x never multiplies the work on y.
 */
import * as tf from "@tensorflow/tfjs";
import { type ModelGenerator, nextSeed, param } from "ppl-core";
import { squeezeLast } from "./shared.js";
import type { ModelArgs } from "./types.js";

/** The eight weight tensors, by layer; dense weights are [in, out] and the convolution's [width 3, channels]. */
export const TONES_GENERATOR_LAYERS = {
  x_to_hidden: (a: ModelArgs, _d: number): [number, number] => [a.hiddenDim, a.nnDim],
  y_to_hidden: (a: ModelArgs, d: number): [number, number] => [a.nnChannels * d, a.nnDim],
  conv: (a: ModelArgs, _d: number): [number, number] => [3, a.nnChannels],
  hidden_to_logits: (a: ModelArgs, d: number): [number, number] => [a.nnDim, d],
} as const;

export type Layer = keyof typeof TONES_GENERATOR_LAYERS;
export type TonesGenerator = (x: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/** The site name of a layer's weight or bias. */
export function weightName(layer: Layer, which: "weight" | "bias"): string {
  return `tones_generator.${layer}.${which}`;
}

/** torch's default initialisation of a layer: uniform in ±1/√fan_in, seeded from ppl's stream. */
function initial(shape: readonly number[], fanIn: number): () => tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return () => tf.randomUniform([...shape], -bound, bound, "float32", nextSeed(`tones_generator ${shape.join("x")}`));
}

/** Registers the network's weights as params and returns the network. */
export function* tonesGenerator(args: ModelArgs, dataDim: number): ModelGenerator<TonesGenerator> {
  const w: Record<string, tf.Tensor> = {};
  for (const layer of Object.keys(TONES_GENERATOR_LAYERS) as Layer[]) {
    const [fanIn, out] = TONES_GENERATOR_LAYERS[layer](args, dataDim);
    w[`${layer}.weight`] = yield* param(weightName(layer, "weight"), initial([fanIn, out], fanIn));
    w[`${layer}.bias`] = yield* param(weightName(layer, "bias"), initial([out], fanIn));
  }
  const layer = (l: Layer) => ({ weight: w[`${l}.weight`]!, bias: w[`${l}.bias`]! });
  return (x, y) => {
    // int32 then cast: tfjs 4.22's wasm oneHot with dtype float32 writes the int bits (1 reads as 1.4e-45)
    const onehot = tf.oneHot(squeezeLast(x).cast("int32"), args.hiddenDim).cast("float32");
    const yConv = conv3(y, layer("conv"));
    const h = tf.relu(dense(onehot, layer("x_to_hidden")).add(dense(yConv, layer("y_to_hidden"))));
    return dense(h, layer("hidden_to_logits"));
  };
}

/** A dense layer on the last dim of v, any leading shape. */
function dense(v: tf.Tensor, { weight, bias }: { weight: tf.Tensor; bias: tf.Tensor }): tf.Tensor {
  const [inDim, outDim] = weight.shape as [number, number];
  const lead = v.shape.slice(0, -1);
  return v.reshape([-1, inDim]).matMul(weight).reshape([...lead, outDim]).add(bias);
}

/**
 * Conv1d(1 → C channels, width 3, zero padding 1) along the tones, then relu,
 * flattened to [..., D·C] (tone-major). Written as three shifted copies and
 * one dense layer so its gradient needs only slice, pad and matMul kernels.
 */
function conv3(y: tf.Tensor, conv: { weight: tf.Tensor; bias: tf.Tensor }): tf.Tensor {
  const d = y.shape[y.rank - 1]!;
  const lead = y.shape.slice(0, -1);
  const flat = y.reshape([-1, d]);
  const padded = tf.pad(flat, [[0, 0], [1, 1]]);
  const windows = tf.stack([0, 1, 2].map((k) => padded.slice([0, k], [-1, d])), -1); // [rows, D, 3]
  const channels = conv.weight.shape[1]!;
  return tf.relu(dense(windows, conv)).reshape([...lead, d * channels]);
}
