/**
 * Find which site made a step's loss non-finite, for the error message. The
 * failed step is drawn again exactly: the global RNG goes back to where the
 * step started, the same ELBO runs the same model and guide (every particle,
 * every enumeration), and the RNG is then put back where the failed step
 * left it, so the diagnosis neither describes another draw nor moves the
 * stream the next step draws from.
 */
import * as tf from "@tensorflow/tfjs-core";
import { getParamStore } from "../params/param-store.js";
import { withHandler } from "../runtime/handler.js";
import type { Model, SampleMsg } from "../runtime/messages.js";
import { formatFrame } from "../runtime/trace-struct.js";
import { type RngState, restoreRngState, rngState } from "../rng.js";
import { isValidationEnabled, setValidation } from "../validation.js";
import type { ELBO } from "./elbo.js";

/** The site whose log-density is non-finite first, and a sentence about it. */
export interface NonFiniteSite {
  readonly site: string | undefined;
  readonly text: string;
}

function describeTensor(v: tf.Tensor): string {
  // NaN and ±Infinity as themselves (JSON would print null)
  return v.size <= 12
    ? JSON.stringify(v.arraySync(), (_, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? `#${x}#` : x)).replace(/"#|#"/g, "")
    : `shape [${v.shape.join(", ")}]`;
}

/** The tensor arguments of a distribution, looking through the wrappers plates and toEvent put around it (`base`). */
function describeParams(fn: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fn)) {
    if (v instanceof tf.Tensor && !v.isDisposed) parts.push(v.size <= 12 ? `${k}=${describeTensor(v)}` : `${k}: shape [${v.shape.join(", ")}]`);
  }
  const base = (fn as { base?: unknown }).base;
  return parts.length === 0 && typeof base === "object" && base !== null ? describeParams(base) : parts.join(", ");
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
 * is non-finite. With `params` (unconstrained values by name: an update SVI
 * refused), those params read the values the update would have written, and
 * argument validation is off for the run, so that a distribution given an
 * infinite scale shows its log-density rather than refusing the argument.
 */
export function findNonFiniteSite<A extends unknown[]>(
  loss: ELBO, model: Model<A>, guide: Model<A>, args: A, from: RngState, params?: ReadonlyMap<string, tf.Tensor>,
): NonFiniteSite | undefined {
  let found: NonFiniteSite | undefined;
  const inspect = (m: Model<A>, which: string) => withHandler(m, () => ({
    process(msg) {
      if (msg.type !== "param" || params === undefined) return;
      const u = params.get(msg.name);
      if (u === undefined) return;
      const c = getParamStore().constrain(msg.name, u);
      msg.value = c === u ? u.clone() : c;
      msg.done = true;
    },
    postprocess(msg) {
      if (found === undefined && msg.type === "sample") found = nonFinite(msg, which);
    },
  }));
  const after = rngState();
  const validating = isValidationEnabled();
  restoreRngState(from);
  if (params !== undefined) setValidation(false);
  try {
    tf.tidy(() => {
      loss.differentiableLoss(inspect(model, "model"), inspect(guide, "guide"), ...args);
    });
  } catch (err) {
    found ??= { site: undefined, text: `(diagnosis failed: ${(err as Error).message})` };
  } finally {
    restoreRngState(after);
    setValidation(validating);
  }
  return found;
}
