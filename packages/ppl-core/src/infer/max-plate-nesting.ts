/**
 * Guess maxPlateNesting from one plain (non-enumerated) run of guide and
 * model, as Pyro does: the deepest plate dim any site sits in.
 */
import * as tf from "@tensorflow/tfjs-core";
import { replay } from "../handlers/replay.js";
import { trace } from "../handlers/trace.js";
import type { Model } from "../runtime/messages.js";
import type { Trace } from "../runtime/trace-struct.js";

/** The deepest vectorised plate dim any site of the trace sits in (0: none). */
export function deepestPlateDim(tr: Trace): number {
  let n = 0;
  for (const site of tr.nodes.values()) for (const f of site.condIndepStack) if (f.dim !== undefined) n = Math.max(n, -f.dim);
  return n;
}

/** The deepest plate dim used by one plain run of `guide` (if given) and `model` replayed against it. */
export function guessMaxPlateNesting<A extends unknown[]>(model: Model<A>, guide: Model<A> | undefined, args: A): number {
  return tf.tidy(() => {
    let n = 0;
    if (guide === undefined) return deepestPlateDim(trace(model).getTrace(...args));
    const guideTrace = trace(guide).getTrace(...args);
    n = Math.max(deepestPlateDim(guideTrace), deepestPlateDim(trace(replay(model, { trace: guideTrace })).getTrace(...args)));
    guideTrace.dispose();
    return n;
  });
}
