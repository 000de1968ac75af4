/**
 * Guess maxPlateNesting from one plain (non-enumerated) run of guide and
 * model, as Pyro does: the deepest plate dim any site sits in.
 */
import * as tf from "@tensorflow/tfjs";
import { replay, trace } from "ppl-core";
import type { Model, Trace } from "ppl-core";

function deepest(tr: Trace): number {
  let n = 0;
  for (const site of tr.nodes.values()) for (const f of site.condIndepStack) if (f.dim !== undefined) n = Math.max(n, -f.dim);
  return n;
}

export function guessMaxPlateNesting<A extends unknown[]>(model: Model<A>, guide: Model<A> | undefined, args: A): number {
  return tf.tidy(() => {
    let n = 0;
    if (guide === undefined) return deepest(trace(model).getTrace(...args));
    const guideTrace = trace(guide).getTrace(...args);
    n = Math.max(deepest(guideTrace), deepest(trace(replay(model, { trace: guideTrace })).getTrace(...args)));
    guideTrace.dispose();
    return n;
  });
}
