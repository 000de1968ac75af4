import * as tf from "@tensorflow/tfjs";
import { PPLConfigError } from "../errors.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";

/** Multiply the log-density of every sample site inside by `factor` (> 0). */
export function scale<A extends unknown[], R>(model: Model<A, R>, factor: number | tf.Tensor): Model<A, R> {
  if (typeof factor === "number" && !(factor > 0 && Number.isFinite(factor))) {
    throw new PPLConfigError(`scale: factor must be a finite positive number, got ${factor}`, {
      expected: "> 0",
      actual: String(factor),
    });
  }
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample") return;
      msg.scale = typeof msg.scale === "number" && typeof factor === "number" ? msg.scale * factor : tf.mul(msg.scale, factor);
    },
  }));
}
