/** Find which site makes a loss non-finite, for the error message. */
import * as tf from "@tensorflow/tfjs";
import { replay } from "../handlers/replay.js";
import { trace } from "../handlers/trace.js";
import type { Model } from "../runtime/messages.js";
import type { Trace } from "../runtime/trace-struct.js";

function describeParams(fn: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fn)) {
    if (v instanceof tf.Tensor && v.size <= 12) parts.push(`${k}=${JSON.stringify(v.arraySync())}`);
    else if (v instanceof tf.Tensor) parts.push(`${k}: shape [${v.shape.join(", ")}]`);
  }
  return parts.join(", ");
}

function firstBad(tr: Trace, which: string): string | undefined {
  for (const site of tr.sampleSites()) {
    const lp = tr.logProb(site.name);
    const data = lp.dataSync();
    const i = data.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) {
      return `The first non-finite log-density is at ${which} site '${site.name}' (${site.fn.name}): ${data[i]} at element ${i}; ` +
        `its parameters: ${describeParams(site.fn) || "(none readable)"}.`;
    }
  }
  return undefined;
}

export function findNonFiniteSite<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A): string | undefined {
  return tf.tidy(() => {
    try {
      const guideTrace = trace(guide).getTrace(...args);
      const g = firstBad(guideTrace, "guide");
      if (g !== undefined) return g;
      const modelTrace = trace(replay(model, { trace: guideTrace })).getTrace(...args);
      return firstBad(modelTrace, "model");
    } catch (err) {
      return `(diagnosis failed: ${(err as Error).message})`;
    }
  });
}
