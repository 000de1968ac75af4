/**
 * A handler sees each message its model yields: `process` on the way out,
 * `postprocess` on the way back. Wrapping generators nests handlers, so the
 * innermost processes first and postprocesses last (Pyro's order) with no
 * global stack.
 */
import { applyDefault, assertGenerator } from "./run.js";
import type { Model, ModelGenerator, Msg } from "./messages.js";

export interface Handler {
  process?(msg: Msg): void;
  postprocess?(msg: Msg): void;
}

/** Drive `gen` under handler `h`, passing messages outward unless stopped. */
export function* handle<R>(gen: ModelGenerator<R>, h: Handler): ModelGenerator<R> {
  assertGenerator(gen);
  let step = gen.next();
  while (!step.done) {
    const msg = step.value;
    try {
      h.process?.(msg);
      // a stopped message is answered here: outer handlers never see it
      if (msg.stop) applyDefault(msg);
      else yield msg;
      h.postprocess?.(msg);
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next();
  }
  return step.value;
}

/** A model transformer from a per-run handler factory (fresh state every run). */
export function withHandler<A extends unknown[], R>(model: Model<A, R>, makeHandler: () => Handler): Model<A, R> {
  return function* handled(...args: A): ModelGenerator<R> {
    return yield* handle(model(...args), makeHandler());
  };
}
