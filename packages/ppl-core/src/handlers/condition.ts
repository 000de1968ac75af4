import type * as tf from "@tensorflow/tfjs-core";
import type { TensorLike } from "../ops/tensor.js";
import { tensorArg } from "../tensor-arg.js";
import { withHandler } from "../runtime/handler.js";
import { checkObserved, checkObservedEventShape, checkObservedSupport } from "../runtime/primitives.js";
import type { Model } from "../runtime/messages.js";

/** Observe sample sites at the given values, as if each had `obs`. */
export function condition<A extends unknown[], R>(model: Model<A, R>, data: Record<string, TensorLike>): Model<A, R> {
  const values = new Map<string, tf.Tensor>();
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || !(msg.name in data)) return;
      let v = values.get(msg.name);
      if (v === undefined) {
        v = tensorArg("condition", msg.name, data[msg.name]);
        // checked once, when first used (the same validation as sample(..., { obs }))
        checkObservedEventShape(msg.name, msg.fn, v);
        checkObserved(msg.name, v);
        checkObservedSupport(msg.name, msg.fn, v);
        values.set(msg.name, v);
      }
      msg.value = v;
      msg.isObserved = true;
      msg.done = true;
    },
  }));
}
