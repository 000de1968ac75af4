/**
 * `mask(model, m)` transforms a model; `yield* mask(m, function* () {...})`
 * masks a block inside a model body, as `plate` does. Masks compose by
 * logical and (Pyro's MaskMessenger).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError } from "../errors.js";
import type { Handler } from "../runtime/handler.js";
import type { Model, ModelGenerator } from "../runtime/messages.js";
import { describe, modelOrBlock } from "./two-forms.js";

/** `true` (keep), `false` (zero every log-density), or a bool tensor that broadcasts against them. */
export type MaskValue = tf.Tensor | boolean;

function maskHandler(maskValue: MaskValue): Handler {
  return {
    process(msg) {
      if (msg.type !== "sample") return;
      if (msg.mask === true) msg.mask = maskValue;
      else if (msg.mask === false || maskValue === true) return;
      else if (maskValue === false) msg.mask = false;
      else msg.mask = tf.logicalAnd(msg.mask.cast("bool"), maskValue.cast("bool"));
    },
  };
}

function checkMask(m: unknown, where: string): asserts m is MaskValue {
  if (typeof m === "boolean" || m instanceof tf.Tensor) return;
  throw new PPLConfigError(
    `${where}: the mask must be a boolean or a tensor (true where sites count), got ${describe(m)}.\n` +
      "Use mask(model, m) to transform a model, or `yield* mask(m, function* () { ... })` for a block inside a model",
    { expected: "a boolean or a tensor", actual: describe(m) },
  );
}


/** Zero the log-density of sample sites inside where `maskValue` is false (broadcast over the batch). */
export function mask<A extends unknown[], R>(model: Model<A, R>, maskValue: MaskValue): Model<A, R>;
/** The block form: `yield* mask(m, function* () { ... })` inside a model body. */
export function mask<R>(maskValue: MaskValue, body: () => ModelGenerator<R>): ModelGenerator<R>;
export function mask<A extends unknown[], R>(
  first: Model<A, R> | MaskValue,
  second: MaskValue | (() => ModelGenerator<R>),
): Model<A, R> | ModelGenerator<R> {
  return modelOrBlock("mask", "m", first, second, checkMask, maskHandler);
}
