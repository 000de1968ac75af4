/**
 * Find which site made a step's loss non-finite, for the error message. The
 * failed step is drawn again exactly: the global RNG goes back to where the
 * step started, the same ELBO runs the same model and guide (every particle,
 * every enumeration), and the RNG is then put back where the failed step
 * left it, so the diagnosis neither describes another draw nor moves the
 * stream the next step draws from.
 */
import * as tf from "@tensorflow/tfjs-core";
import { withHandler } from "../runtime/handler.js";
import type { Model, SampleMsg } from "../runtime/messages.js";
import { formatFrame } from "../runtime/trace-struct.js";
import { type RngState, restoreRngState, rngState } from "../rng.js";
import type { ELBO } from "./elbo.js";

/** The site whose log-density is non-finite first, and a sentence about it. */
export interface NonFiniteSite {
  readonly site: string | undefined;
  readonly text: string;
}

function describeTensor(v: tf.Tensor): string {
  return v.size <= 12 ? JSON.stringify(v.arraySync()) : `shape [${v.shape.join(", ")}]`;
}

function describeParams(fn: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fn)) {
    if (v instanceof tf.Tensor && !v.isDisposed) parts.push(v.size <= 12 ? `${k}=${describeTensor(v)}` : `${k}: shape [${v.shape.join(", ")}]`);
  }
  return parts.join(", ");
}

/** A sentence about `msg` if its log-density has a non-finite entry (read here: this runs only after a failure). */
function nonFinite(msg: SampleMsg, which: string): NonFiniteSite | undefined {
  if (msg.value === undefined || msg.role === "subsample") return undefined;
  const lp = msg.fn.logProb(msg.value);
  const data = lp.dataSync();
  // an enumerated value may have probability 0 (log-density −∞) on purpose; NaN and +∞ never are
  const enumerated = msg.enumScope !== undefined || msg.enumInfo !== undefined;
  const i = data.findIndex((x) => Number.isNaN(x) || x === Infinity || (!enumerated && x === -Infinity));
  if (i < 0) return undefined;
  const plates = msg.condIndepStack.map(formatFrame).join(", ");
  return {
    site: msg.name,
    text:
      `The first non-finite log-density is at ${which} site '${msg.name}' (${msg.fn.name}${plates ? `, in plates ${plates}` : ""}): ` +
      `${data[i]} at element ${i} of its log-prob (shape [${lp.shape.join(", ")}]); ` +
      `its value: ${describeTensor(msg.value)}; its parameters: ${describeParams(msg.fn) || "(none readable)"}.`,
  };
}

/**
 * Run `loss` on model and guide again from RNG state `from` (where the failed
 * step started) and return the first site, in run order, whose log-density
 * is non-finite.
 */
export function findNonFiniteSite<A extends unknown[]>(
  loss: ELBO, model: Model<A>, guide: Model<A>, args: A, from: RngState,
): NonFiniteSite | undefined {
  let found: NonFiniteSite | undefined;
  const inspect = (m: Model<A>, which: string) => withHandler(m, () => ({
    postprocess(msg) {
      if (found === undefined && msg.type === "sample") found = nonFinite(msg, which);
    },
  }));
  const after = rngState();
  restoreRngState(from);
  try {
    tf.tidy(() => {
      loss.differentiableLoss(inspect(model, "model"), inspect(guide, "guide"), ...args);
    });
  } catch (err) {
    found ??= { site: undefined, text: `(diagnosis failed: ${(err as Error).message})` };
  } finally {
    restoreRngState(after);
  }
  return found;
}
