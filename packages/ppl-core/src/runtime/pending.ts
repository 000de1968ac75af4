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
  const names = [...pending].map((e) => e.describe());
  pending = new Set();
  throw new PPLModelError(
    `${names.join(", ")} was called but never run: write \`yield* ${names[0]!.split("(")[0]}(...)\`; ` +
      "a primitive without yield* returns an effect object, not a value, and the site is skipped",
    { site: names[0] },
  );
}
