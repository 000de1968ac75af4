/**
 * Handlers that come in two forms, like Pyro's context managers used as
 * decorators: `h(model, arg)` transforms a model, and `yield* h(arg, function* () {...})`
 * applies the handler to a block inside a model body (as `plate` does).
 * A function first means the model form.
 */
import { PPLConfigError } from "../errors.js";
import { type Handler, handle, withHandler } from "../runtime/handler.js";
import type { Model, ModelGenerator } from "../runtime/messages.js";
import { tracked } from "../runtime/pending.js";

/** `a number`, `an object (Foo)`, ... for messages. */
export function describe(x: unknown): string {
  return x === null || x === undefined ? String(x) : typeof x === "object" ? `an object (${x.constructor?.name ?? "Object"})` : `a ${typeof x}`;
}

/** `name`, `argName`: how messages spell the call, e.g. `mask(m, body)`. */
export function modelOrBlock<T, A extends unknown[], R>(
  name: string,
  argName: string,
  first: Model<A, R> | T,
  second: T | (() => ModelGenerator<R>),
  check: (x: unknown, where: string) => asserts x is T,
  makeHandler: (arg: T) => Handler,
): Model<A, R> | ModelGenerator<R> {
  if (typeof first === "function") {
    check(second, `${name}(model, ${argName})`);
    const arg = second;
    return withHandler(first as Model<A, R>, () => makeHandler(arg));
  }
  check(first, `${name}(${argName}, body)`);
  if (typeof second !== "function") {
    throw new PPLConfigError(
      `${name}(${argName}, body): the second argument must be the block's generator function, got ${describe(second)}`,
      { expected: "a generator function", actual: describe(second) },
    );
  }
  const body = second as () => ModelGenerator<R>;
  const arg = first;
  return tracked(`${name}(...)`, (function* () {
    return yield* handle(body(), makeHandler(arg));
  })());
}
