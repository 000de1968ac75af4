/**
 * Guess maxPlateNesting from one plain (non-enumerated) run of guide and
 * model, as Pyro does: the deepest plate dim any site sits in.
 */
import * as tf from "@tensorflow/tfjs";
import { replay } from "../handlers/replay.js";
import { trace } from "../handlers/trace.js";
import type { Model } from "../runtime/messages.js";
import type { Trace } from "../runtime/trace-struct.js";

function deepest(tr: Trace): number {
  let n = 0;
  for (const site of tr.nodes.values()) for (const f of site.condIndepStack) if (f.dim !== undefined) n = Math.max(n, -f.dim);
  return n;
}

/** The deepest plate dim used by one plain run of `guide` (if given) and `model` replayed against it. */
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
