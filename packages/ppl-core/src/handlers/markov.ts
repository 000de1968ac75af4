/**
 * `markov(iterable, body, { history })`: each step's sites depend only on the
 * last `history` steps. The handler only tags messages with (loop, step);
 * enumeration uses the tags to recycle dims so a chain of any length needs a
 * bounded tensor rank.
 */
import { PPLConfigError } from "../errors.js";
import { handle } from "../runtime/handler.js";
import { tracked } from "../runtime/pending.js";
import type { MarkovTag, ModelGenerator } from "../runtime/messages.js";

/** Options of {@link markov}. */
export interface MarkovOptions {
  /** How many previous steps a step may depend on (default 1). */
  history?: number;
  /** A label for error messages. */
  name?: string;
}

let loops = 0;


export function tagged<R>(gen: ModelGenerator<R>, tag: MarkovTag): ModelGenerator<R> {
  return handle(gen, {
    process(msg) {
      if (msg.type === "sample") msg.markov.push(tag);
    },
  });
}

const MARKOV_KEYS = ["history", "name"];

function checkMarkovKeys(options: object): void {
  const unknown = Object.keys(options).filter((k) => !MARKOV_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new PPLConfigError(
      `markov: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")}; valid options are ${MARKOV_KEYS.join(", ")}`,
      { expected: MARKOV_KEYS.join(", "), actual: unknown.join(", ") },
    );
  }
}

function checkHistory(history: number): void {
  if (!Number.isInteger(history) || history < 0) {
    throw new PPLConfigError(`markov: history must be a non-negative integer, got ${history}`, {
      expected: "integer >= 0",
      actual: String(history),
    });
  }
}

/**
 * Run `body(item)` for each item as successive steps of one Markov chain
 * (Pyro's `for t in pyro.markov(range(T))`): enumeration may reuse a step's
 * dims once it has left the `history` window, so a chain of any length needs
 * a bounded tensor rank.
 *
 * @example
 * let z: tf.Tensor | undefined;
 * yield* markov(range(T), function* (t) {
 *   z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":")),
 *                     { infer: { enumerate: "parallel" } });
 * });
 */
export function markov<T>(
  iterable: Iterable<T>,
  body: (item: T, step: number) => ModelGenerator<unknown>,
  options?: MarkovOptions,
): ModelGenerator<void>;
/** A single markov context around `body`. */
export function markov<R>(body: () => ModelGenerator<R>, options?: MarkovOptions): ModelGenerator<R>;
export function markov<T, R>(
  first: Iterable<T> | (() => ModelGenerator<R>),
  second?: ((item: T, step: number) => ModelGenerator<unknown>) | MarkovOptions,
  third?: MarkovOptions,
): ModelGenerator<R | void> {
  const options = (typeof first === "function" ? second : third) as MarkovOptions | undefined;
  return tracked(`markov(${options?.name === undefined ? "" : `'${options.name}'`})`, runMarkov(first, second, third));
}

function* runMarkov<T, R>(
  first: Iterable<T> | (() => ModelGenerator<R>),
  second?: ((item: T, step: number) => ModelGenerator<unknown>) | MarkovOptions,
  third?: MarkovOptions,
): ModelGenerator<R | void> {
  const chain = {};
  if (typeof first === "function") {
    const options = (second as MarkovOptions | undefined) ?? {};
    const history = options.history ?? 1;
    checkMarkovKeys(options);
    checkHistory(history);
    const chainName = options.name ?? `markov#${loops++}`;
    return yield* tagged(first(), { chain, chainName, step: 0, history });
  }
  if (first === null || typeof (first as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new PPLConfigError(
      `markov(iterable, body): the first argument must be an iterable such as range(T), or a generator function, got ${typeof first === "number" ? first : typeof first}` +
        (typeof first === "number" ? `. Fix: markov(range(${first}), ...)` : ""),
      { expected: "an iterable or a generator function", actual: String(first) },
    );
  }
  const body = second as (item: T, step: number) => ModelGenerator<unknown>;
  if (typeof body !== "function") throw new PPLConfigError("markov(iterable, body): body must be a generator function");
  const options = third ?? {};
  const history = options.history ?? 1;
  checkMarkovKeys(options);
  checkHistory(history);
  const chainName = options.name ?? `markov#${loops++}`;
  let step = 0;
  for (const item of first) {
    yield* tagged(body(item, step), { chain, chainName, step, history });
    step++;
  }
}

/** 0, 1, ..., n-1: the iterable the seed model loops over. */
export function* range(n: number): IterableIterator<number> {
  for (let i = 0; i < n; i++) yield i;
}
