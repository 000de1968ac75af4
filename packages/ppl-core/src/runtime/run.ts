/**
 * The runner at the bottom of every handler stack: it answers messages that
 * reach it (draws unfilled sample values, fetches params) and drives a model
 * to completion.
 */
import { getParamStore } from "../params/param-store.js";
import { nextSeed } from "../rng.js";
import type { Model, ModelGenerator, Msg } from "./messages.js";
import { throwIfPending } from "./pending.js";

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
  let step = gen.next();
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
  throwIfPending();
  return step.value;
}

/** Run a model on its arguments under no handlers. */
export function run<A extends unknown[], R>(model: Model<A, R>, ...args: A): R {
  return runGenerator(model(...args));
}
