import type * as tf from "@tensorflow/tfjs-core";
import { PPLModelError, nearestName } from "../errors.js";
import type { TensorLike } from "../ops/tensor.js";
import { handle } from "../runtime/handler.js";
import type { Model, ModelGenerator } from "../runtime/messages.js";
import { checkObserved, checkObservedEventShape, checkObservedSupport } from "../runtime/primitives.js";
import { tensorArg } from "../tensor-arg.js";

/**
 * Observe sample sites at the given values, as if each had `obs`. A name in
 * `data` that no sample site of the run has (a misspelling) is an error
 * naming it and the nearest site, when the run ends.
 */
export function condition<A extends unknown[], R>(model: Model<A, R>, data: Record<string, TensorLike>): Model<A, R> {
  const values = new Map<string, tf.Tensor>();
  const conditioned = function* (...args: A): ModelGenerator<R> {
    const used = new Set<string>();
    const sites: string[] = [];
    const result = yield* handle(model(...args), {
      process(msg) {
        if (msg.type !== "sample") return;
        sites.push(msg.name);
        if (!(msg.name in data)) return;
        used.add(msg.name);
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
    });
    for (const name of Object.keys(data)) if (!used.has(name)) throw unknownSite("condition", name, sites);
    return result;
  };
  Object.defineProperty(conditioned, "name", { value: model.name });
  Object.defineProperty(conditioned, "length", { value: model.length });
  return conditioned;
}

/** A value given for a site the run does not have: name it and the nearest site the run has. */
export function unknownSite(who: string, name: string, sites: readonly string[]): PPLModelError {
  const near = nearestName(name, sites);
  return new PPLModelError(
    `${who}: a value is given for site '${name}', but the model has no sample site of that name` +
      (near === undefined ? " (it has no sample sites)" : `; did you mean '${near}'? Its sample sites: ${sites.slice(0, 12).join(", ")}${sites.length > 12 ? ", ..." : ""}`),
    { site: name, expected: near === undefined ? "a sample site of the model" : near, actual: name },
  );
}
