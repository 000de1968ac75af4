/**
 * The runner at the bottom of every handler stack: it answers messages that
 * reach it (draws unfilled sample values, fetches params) and drives a model
 * to completion.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLError, PPLModelError, formatShape } from "../errors.js";
import { getParamStore } from "../params/param-store.js";
import { drawing, nextSeed } from "../rng.js";
import type { Model, ModelGenerator, Msg } from "./messages.js";
import { resetPending, throwIfPending } from "./pending.js";
import { withSiteChecks } from "../distributions/base/validate.js";

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

/**
 * A model yields only the messages of ppl's primitives, through `yield*`. A
 * bare `yield` (of a number, a tensor, or a primitive's effect) would reach
 * the handlers as something that is not a message.
 */
export function checkYielded(x: unknown): asserts x is Msg {
  if (x !== null && typeof x === "object" && MSG_TYPES.has((x as { type?: unknown }).type)) return;
  const effect = x !== null && typeof x === "object" && "msg" in x ? (x as { msg?: { type?: unknown; name?: unknown } }).msg : undefined;
  const what = effect !== undefined
    ? `the effect of ${String(effect.type)}('${String(effect.name)}'): write \`yield* ${String(effect.type)}(...)\`, not \`yield ${String(effect.type)}(...)\``
    : x instanceof tf.Tensor
      ? `a tensor (shape ${formatShape(x.shape)}): a value is returned by \`const v = yield* sample(...)\`, never yielded`
      : `${describe(x)}: a model must not \`yield\` values of its own`;
  throw new PPLModelError(
    `a model or guide yielded ${what}.\nFix: use \`yield*\` with ppl's primitives only (sample, param, factor, deterministic, plate, markov, ...)`,
    { expected: "yield* of a ppl primitive", actual: `yield of ${describe(x)}` },
  );
}

const MSG_TYPES = new Set<unknown>(["sample", "param", "plate"]);

/** What happens to a message nobody handled: Pyro's default_process_message. */
export function applyDefault(msg: Msg): void {
  if (msg.done || msg.value !== undefined) return;
  if (msg.type === "sample") {
    try {
      msg.value = drawing(() => msg.fn.sample([], msg.seed ?? nextSeed(msg.name)));
    } catch (err) {
      if (err instanceof PPLError) throw err;
      throw withCause(new PPLModelError(`sample('${msg.name}'): drawing from ${msg.fn.name} failed: ${(err as Error).message}`, {
        site: msg.name, actual: errorName(err),
      }), err);
    }
  } else if (msg.type === "param") {
    msg.value = getParamStore().get(msg.name, msg.init, msg.constraint, msg.owner === undefined ? {} : { owner: msg.owner });
  }
  msg.done = true;
}

/** Who is being run, for an error its own code throws. */
export interface RunLabel {
  /** The model's or guide's function name (may be empty). */
  readonly name: string;
  /** How many arguments its function declares. */
  readonly arity: number;
  /** How many it was called with. */
  readonly given: number;
}

/** Run a generator to completion, answering each message with the default. */
export function runGenerator<R>(gen: ModelGenerator<R>, label?: RunLabel): R {
  // a distribution's failed parameter check is thrown by the site it is given to (validate.ts)
  return withSiteChecks(() => runToEnd(gen, label));
}

function runToEnd<R>(gen: ModelGenerator<R>, label: RunLabel | undefined): R {
  let step: IteratorResult<Msg, R>;
  let last: string | undefined;
  try {
    assertGenerator(gen);
    step = gen.next();
    while (!step.done) {
      const msg = step.value;
      try {
        checkYielded(msg);
        applyDefault(msg);
      } catch (err) {
        step = gen.throw(err);
        continue;
      }
      if (msg.type !== "plate") last = msg.name;
      step = gen.next();
    }
  } catch (err) {
    // a run that dies must not leave its unfinished effects to be blamed on the next run
    resetPending();
    throw userCodeError(err, label, last);
  }
  throwIfPending();
  return step.value;
}

/** Run a model on its arguments under no handlers. */
export function run<A extends unknown[], R>(model: Model<A, R>, ...args: A): R {
  return runGenerator(model(...args), { name: model.name, arity: model.length, given: args.length });
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function withCause<E extends Error>(e: E, cause: unknown): E {
  Object.defineProperty(e, "cause", { value: cause, writable: true, configurable: true });
  return e;
}

/**
 * An error that is not ppl's, thrown while a model or guide ran (its own
 * code, or a tfjs op it called), wrapped with where it happened: the
 * function and the last site it yielded. The original is the `cause`.
 */
export function userCodeError(err: unknown, label: RunLabel | undefined, lastSite: string | undefined): unknown {
  if (err instanceof PPLError || !(err instanceof Error)) return err;
  const who = label?.name ? `'${label.name}'` : "(a model or guide)";
  const where = lastSite === undefined ? "before its first site" : `after site '${lastSite}' (the last site it yielded)`;
  const hints: string[] = [];
  if (label !== undefined && label.given < label.arity) {
    hints.push(`${who} declares ${label.arity} argument(s) but was called with ${label.given}: pass them (svi.step(...args), trace(model).getTrace(...args), run(model, ...args))`);
  }
  if (/memory access out of bounds|out of memory|allocation failed|Invalid typed array length/i.test(err.message)) {
    hints.push(
      "a tensor it made may be too large for the heap (wasm's can hold at most 4 GiB, and a gradient step keeps several tensors " +
        "of the size of its largest): ppl refuses its own tensors above maxTensorElements() elements before allocating them; " +
        "make this one smaller (subsample the data, or work in batches)",
    );
  }
  if (/disposed/i.test(err.message)) {
    hints.push("a tensor it uses was disposed (by a dispose() call, or by a tf.tidy that ended): keep tensors reused across runs out of tf.tidy, or tf.keep them");
  }
  return withCause(new PPLModelError(
    `${err.name} thrown while running ${who}, ${where}: ${err.message}` +
      (hints.length > 0 ? `\nFix:\n${hints.map((h) => `- ${h}`).join("\n")}` : "") +
      "\n(The original error is this error's `cause`.)",
    { site: lastSite, actual: errorName(err) },
  ), err);
}
