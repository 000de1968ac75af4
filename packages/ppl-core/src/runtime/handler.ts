/**
 * A handler sees each message its model yields: `process` on the way out,
 * `postprocess` on the way back. Wrapping generators nests handlers, so the
 * innermost processes first and postprocesses last (Pyro's order) with no
 * global stack.
 */
import { PPLConfigError } from "../errors.js";
import { applyDefault, assertGenerator, checkYielded } from "./run.js";
import type { Model, ModelGenerator, Msg } from "./messages.js";

/**
 * A handler (Pyro's Messenger): it sees each message of the model it wraps.
 * Plates send their own `{ type: "plate" }` messages on the same channel, so
 * check `msg.type` first. See docs/writing-a-handler.md.
 *
 * @example
 * const logged = withHandler(model, () => ({
 *   postprocess(msg) { if (msg.type === "sample") console.log(msg.name, msg.value?.shape); },
 * }));
 */
export interface Handler {
  /** Called on the way out, before the value is settled: set `value` and `done`, `stop`, or change `fn`, `scale`, `mask`. */
  process?(msg: Msg): void;
  /** Called on the way back, after the value is settled. */
  postprocess?(msg: Msg): void;
  /**
   * Called instead of `process`/`postprocess` for a message a `block` inside
   * this handler hid: already answered, to be read only. A handler that
   * checks names it was given (condition, replay, initToValue) learns from it
   * that the model has the site, though hidden from it.
   */
  hidden?(msg: Msg): void;
  /** Called when the run it wraps has returned (not when it throws): for checks over the whole run. */
  end?(): void;
}

/**
 * Drive `gen` under handler `h`, passing messages outward (one a block inside
 * hid reaches `h` only through `hidden`). In a
 * model body, `yield* handle(body(), h)` applies a handler to a block of sites.
 */
export function* handle<R>(gen: ModelGenerator<R>, h: Handler): ModelGenerator<R> {
  assertGenerator(gen);
  let step = gen.next();
  while (!step.done) {
    const msg = step.value;
    try {
      checkYielded(msg);
      if (msg.stop) {
        // hidden by a block inside: answered there; it passes outward only so handlers can note the site exists
        h.hidden?.(msg);
        yield msg;
      } else {
        h.process?.(msg);
        // a stopped message is answered here; outer handlers see it only through `hidden`
        if (msg.stop) applyDefault(msg);
        yield msg;
        h.postprocess?.(msg);
      }
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next();
  }
  h.end?.();
  return step.value;
}

/**
 * A handler's model must be the generator function itself: `trace(model())`
 * (its generator) would otherwise fail at the first run with "model is not a
 * function". `who` names the handler, as messages start.
 */
export function requireModel(who: string, model: unknown): void {
  if (typeof model === "function") return;
  const generator = model !== null && typeof model === "object" && typeof (model as { next?: unknown }).next === "function";
  throw new PPLConfigError(
    `${who}: the model must be a generator function, got ${generator ? "a generator (the model already called)" : describeValue(model)}` +
      (generator ? ". Fix: pass the function itself, e.g. trace(model), not trace(model())" : ""),
    { expected: "a generator function", actual: generator ? "a generator" : describeValue(model) },
  );
}

function describeValue(x: unknown): string {
  return x === null || x === undefined ? String(x) : typeof x === "object" ? `an object (${x.constructor?.name ?? "Object"})` : `a ${typeof x}`;
}

/**
 * A model transformer from a per-run handler factory (fresh state every run).
 *
 * @param makeHandler called once per run of the returned model
 * @param who the handler's name, for the error when `model` is not a function (default `withHandler`)
 */
export function withHandler<A extends unknown[], R>(model: Model<A, R>, makeHandler: () => Handler, who = "withHandler"): Model<A, R> {
  requireModel(who, model);
  const handled = function* (...args: A): ModelGenerator<R> {
    return yield* handle(model(...args), makeHandler());
  };
  // the model's name and arity, for errors raised while it runs
  Object.defineProperty(handled, "name", { value: model.name });
  Object.defineProperty(handled, "length", { value: model.length });
  return handled;
}
