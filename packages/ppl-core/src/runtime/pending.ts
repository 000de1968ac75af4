/**
 * Detects a primitive called without `yield*`: its effect is created but never
 * iterated, so the model would silently skip the site. The runner checks this
 * set when a run ends.
 */
import { PPLModelError } from "../errors.js";
import type { Msg } from "./messages.js";

interface Pending {
  readonly msg: Msg;
}

let pending = new Set<Pending>();

export function noteCreated(e: Pending): void {
  pending.add(e);
}

export function noteConsumed(e: Pending): void {
  pending.delete(e);
}

export function resetPending(): void {
  pending = new Set();
}

export function throwIfPending(): void {
  if (pending.size === 0) return;
  const names = [...pending].map((e) => `${e.msg.type}('${e.msg.name}')`);
  pending = new Set();
  throw new PPLModelError(
    `${names.join(", ")} was called but never run: write \`yield* ${names[0]!.split("(")[0]}(...)\`; ` +
      "a primitive without yield* returns an effect object, not a value, and the site is skipped",
    { site: [...names][0] },
  );
}
