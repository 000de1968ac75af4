/**
 * The runner at the bottom of every handler stack: it answers messages that
 * reach it (draws unfilled sample values, fetches params) and drives a model
 * to completion.
 */
import { PPLModelError } from "../errors.js";
import { getParamStore } from "../params/param-store.js";
import { nextSeed } from "../rng.js";
import type { Model, ModelGenerator, Msg } from "./messages.js";
import { resetPending, throwIfPending } from "./pending.js";

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object" && "msg" in x && typeof (x as { msg?: { type?: unknown } }).msg?.type === "string") {
    const m = (x as { msg: { type: string; name: string } }).msg;
    return `the effect of ${m.type}('${m.name}') (a primitive returned without yield*)`;
  }
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "Object"})`;
  return `a ${typeof x}`;
}

/**
 * A model or guide must return a generator: a plain function (or an arrow
 * function) would otherwise fail deep inside a handler with "gen.next is not a function".
 */
export function assertGenerator(gen: unknown): void {
  if (gen !== null && typeof gen === "object" && typeof (gen as { next?: unknown }).next === "function") return;
  throw new PPLModelError(
    `a model or guide must be a generator function, but calling it returned ${describe(gen)} instead of a generator.\n` +
      "Fix:\n" +
      "- write `function* model(...) { ... }` (with the star), not `function` or an arrow function\n" +
      "- inside it, call every primitive with `yield*`, e.g. `const z = yield* sample(\"z\", dist.Normal(0, 1))`",
    { expected: "a generator (function*)", actual: describe(gen) },
  );
}

/** What happens to a message nobody handled: Pyro's default_process_message. */
export function applyDefault(msg: Msg): void {
  if (msg.done || msg.value !== undefined) return;
  if (msg.type === "sample") {
    msg.value = msg.fn.sample([], msg.seed ?? nextSeed(msg.name));
  } else if (msg.type === "param") {
    msg.value = getParamStore().get(msg.name, msg.init, msg.constraint);
  }
  msg.done = true;
}

/** Run a generator to completion, answering each message with the default. */
export function runGenerator<R>(gen: ModelGenerator<R>): R {
  let step: IteratorResult<Msg, R>;
  try {
    assertGenerator(gen);
    step = gen.next();
    while (!step.done) {
      const msg = step.value;
      try {
        applyDefault(msg);
      } catch (err) {
        step = gen.throw(err);
        continue;
      }
      step = gen.next();
    }
  } catch (err) {
    // a run that dies must not leave its unfinished effects to be blamed on the next run
    resetPending();
    throw err;
  }
  throwIfPending();
  return step.value;
}

/** Run a model on its arguments under no handlers. */
export function run<A extends unknown[], R>(model: Model<A, R>, ...args: A): R {
  return runGenerator(model(...args));
}
