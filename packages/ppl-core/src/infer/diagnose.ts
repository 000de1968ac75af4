/** Find which site makes a loss non-finite, for the error message. */
import * as tf from "@tensorflow/tfjs-core";
import { replay } from "../handlers/replay.js";
import { trace } from "../handlers/trace.js";
import type { Model } from "../runtime/messages.js";
import { type Trace, formatFrame } from "../runtime/trace-struct.js";

function describeParams(fn: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fn)) {
    if (v instanceof tf.Tensor && v.size <= 12) parts.push(`${k}=${JSON.stringify(v.arraySync())}`);
    else if (v instanceof tf.Tensor) parts.push(`${k}: shape [${v.shape.join(", ")}]`);
  }
  return parts.join(", ");
}

/** The site whose log-density is non-finite first, and a sentence about it. */
export interface NonFiniteSite {
  readonly site: string | undefined;
  readonly text: string;
}

function firstBad(tr: Trace, which: string): NonFiniteSite | undefined {
  for (const site of tr.sampleSites()) {
    const lp = tr.logProb(site.name);
    const data = lp.dataSync();
    const i = data.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) {
      const plates = site.condIndepStack.map(formatFrame).join(", ");
      const text =
        `The first non-finite log-density is at ${which} site '${site.name}' (${site.fn.name}${plates ? `, in plates ${plates}` : ""}): ` +
        `${data[i]} at element ${i} of its log-prob (shape [${lp.shape.join(", ")}]); ` +
        `its value: ${describeValue(site.value)}; its parameters: ${describeParams(site.fn) || "(none readable)"}.`;
      return { site: site.name, text };
    }
  }
  return undefined;
}

function describeValue(v: tf.Tensor): string {
  return v.size <= 12 ? JSON.stringify(v.arraySync()) : `shape [${v.shape.join(", ")}]`;
}

export function findNonFiniteSite<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A): NonFiniteSite | undefined {
  let found: NonFiniteSite | undefined;
  tf.tidy(() => {
    try {
      const guideTrace = trace(guide).getTrace(...args);
      found = firstBad(guideTrace, "guide");
      if (found !== undefined) return;
      const modelTrace = trace(replay(model, { trace: guideTrace })).getTrace(...args);
      found = firstBad(modelTrace, "model");
    } catch (err) {
      found = { site: undefined, text: `(diagnosis failed: ${(err as Error).message})` };
    }
  });
  return found;
}
