import type * as tf from "@tensorflow/tfjs-core";
import type { TensorLike } from "../ops/tensor.js";
import type { Model } from "../runtime/messages.js";
import { checkObserved, checkObservedEventShape, checkObservedSupport } from "../runtime/primitives.js";
import { tensorArg } from "../tensor-arg.js";
import { requireValuesByName, withNamesChecked } from "./site-names.js";

/**
 * Observe sample sites at the given values, as if each had `obs`. A name in
 * `data` that is not a sample site condition can reach in the run (a
 * misspelling, a param, a site a block inside hides) is an error naming it
 * and the nearest site, when the run ends.
 */
export function condition<A extends unknown[], R>(model: Model<A, R>, data: Record<string, TensorLike>): Model<A, R> {
  requireValuesByName("condition(model, data)", data);
  const values = new Map<string, tf.Tensor>();
  // a Set, not `name in data`: every site of every run asks, and an object's `in` internalises each new name string
  const names = new Set(Object.keys(data));
  return withNamesChecked(model, () => names, {
    who: "condition", kind: "sample", hiddenOk: false, otherKindFix: "to fix a param's value use substitute(model, { name: value })",
  }, (msg) => {
    if (msg.type !== "sample" || !names.has(msg.name)) return;
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
  }, "condition");
}
