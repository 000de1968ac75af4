import type * as tf from "@tensorflow/tfjs-core";
import type { TensorLike } from "../ops/tensor.js";
import { tensorArg } from "../tensor-arg.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";

/** Use fixed values for param sites (Pyro's `substitute`: params only; sample sites are untouched). */
export function substitute<A extends unknown[], R>(model: Model<A, R>, data: Record<string, TensorLike>): Model<A, R> {
  const values = new Map<string, tf.Tensor>();
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "param" || !(msg.name in data)) return;
      let v = values.get(msg.name);
      if (v === undefined) {
        v = tensorArg("substitute", msg.name, data[msg.name]);
        values.set(msg.name, v);
      }
      msg.value = v;
      msg.done = true;
    },
  }));
}
