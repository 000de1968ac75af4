/**
 * `scale(model, s)` transforms a model; `yield* scale(s, function* () {...})`
 * scales a block inside a model body, as `plate` does. Scales multiply
 * (Pyro's ScaleMessenger).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError } from "../errors.js";
import type { Handler } from "../runtime/handler.js";
import type { Model, ModelGenerator } from "../runtime/messages.js";
import { describe, modelOrBlock } from "./two-forms.js";

/** A positive number, or a tensor that broadcasts against the sites' log-densities. */
export type ScaleFactor = number | tf.Tensor;

function scaleHandler(factor: ScaleFactor): Handler {
  return {
    process(msg) {
      if (msg.type !== "sample") return;
      msg.scale = typeof msg.scale === "number" && typeof factor === "number" ? msg.scale * factor : tf.mul(msg.scale, factor);
    },
  };
}


function checkFactor(factor: unknown, where: string): asserts factor is ScaleFactor {
  if (factor instanceof tf.Tensor) return;
  if (typeof factor !== "number") {
    throw new PPLConfigError(
      `${where}: the factor must be a positive number or a tensor, got ${describe(factor)}.\n` +
        "Use scale(model, s) to transform a model, or `yield* scale(s, function* () { ... })` for a block inside a model",
      { expected: "> 0", actual: describe(factor) },
    );
  }
  if (!(factor > 0 && Number.isFinite(factor))) {
    throw new PPLConfigError(`scale: factor must be a finite positive number, got ${factor}`, {
      expected: "> 0",
      actual: String(factor),
    });
  }
}

/** Multiply the log-density of every sample site inside by `factor` (> 0). */
export function scale<A extends unknown[], R>(model: Model<A, R>, factor: ScaleFactor): Model<A, R>;
/** The block form: `yield* scale(s, function* () { ... })` inside a model body. */
export function scale<R>(factor: ScaleFactor, body: () => ModelGenerator<R>): ModelGenerator<R>;
export function scale<A extends unknown[], R>(
  first: Model<A, R> | ScaleFactor,
  second: ScaleFactor | (() => ModelGenerator<R>),
): Model<A, R> | ModelGenerator<R> {
  return modelOrBlock("scale", "s", first, second, checkFactor, scaleHandler);
}
