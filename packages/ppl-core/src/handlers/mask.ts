import * as tf from "@tensorflow/tfjs";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";

/** Zero the log-density of sample sites inside where `mask` is false (broadcast over the batch). */
export function mask<A extends unknown[], R>(model: Model<A, R>, maskValue: tf.Tensor | boolean): Model<A, R> {
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample") return;
      if (msg.mask === true) msg.mask = maskValue;
      else if (msg.mask === false || maskValue === true) return;
      else if (maskValue === false) msg.mask = false;
      else msg.mask = tf.logicalAnd(msg.mask.cast("bool"), maskValue.cast("bool"));
    },
  }));
}
