import type * as tf from "@tensorflow/tfjs-core";
import type { TensorLike } from "../ops/tensor.js";
import { tensorArg } from "../tensor-arg.js";
import type { Model } from "../runtime/messages.js";
import { requireValuesByName, withNamesChecked } from "./site-names.js";

/**
 * Use fixed values for param sites (Pyro's `substitute`: params only). A name
 * in `data` that is not a param substitute can reach in the run (a
 * misspelling, a sample site, a param a block inside hides) is an error
 * naming it and the nearest param, when the run ends.
 */
export function substitute<A extends unknown[], R>(model: Model<A, R>, data: Record<string, TensorLike>): Model<A, R> {
  requireValuesByName("substitute(model, data)", data);
  const values = new Map<string, tf.Tensor>();
  return withNamesChecked(model, () => Object.keys(data), {
    who: "substitute", kind: "param", hiddenOk: false, otherKindFix: "to fix a sample site's value use condition(model, { name: value })",
  }, (msg) => {
    if (msg.type !== "param" || !(msg.name in data)) return;
    let v = values.get(msg.name);
    if (v === undefined) {
      v = tensorArg("substitute", msg.name, data[msg.name]);
      values.set(msg.name, v);
    }
    msg.value = v;
    msg.done = true;
  }, "substitute");
}
