/**
 * Detects a primitive (or a plate / markov block) called without `yield*`: its
 * effect is created but never iterated, so the model would silently skip the
 * site or the whole block. The runner checks this set when a run ends.
 */
import { PPLModelError } from "../errors.js";
import type { ModelGenerator } from "./messages.js";

interface Pending {
  /** How the user wrote the call, e.g. `sample('x')` or `plate('data')`. */
  describe(): string;
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

/**
 * `gen`, registered as pending until its first step: a plate or markov block
 * that is called but never `yield*`ed is reported like an un-yielded primitive.
 */
export function tracked<R>(label: string, gen: ModelGenerator<R>): ModelGenerator<R> {
  const token: Pending = { describe: () => label };
  noteCreated(token);
  return (function* () {
    noteConsumed(token);
    return yield* gen;
  })();
}

export function throwIfPending(): void {
  if (pending.size === 0) return;
  const first = [...pending][0]!;
  const names = [...pending].map((e) => e.describe());
  pending = new Set();
  // the bare site name for a primitive (an Effect carries its message); the call as written for plate/markov
  const site = (first as { msg?: { name?: unknown } }).msg?.name;
  throw new PPLModelError(
    `${names.join(", ")} was called but never run: write \`yield* ${names[0]!.split("(")[0]}(...)\`; ` +
      "a primitive without yield* returns an effect object, not a value, and the site is skipped",
    { site: typeof site === "string" ? site : names[0], expected: `yield* ${names[0]}`, actual: names[0] },
  );
}
