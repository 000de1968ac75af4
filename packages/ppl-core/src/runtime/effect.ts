/**
 * `yield*`-able effects. Iterating an effect yields its message once and
 * returns the value the handlers and runner put on it, typed (Effect-TS's
 * single-shot generator trick), so `const z = yield* sample(...)` is a Tensor.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Msg } from "./messages.js";
import { noteCreated, noteConsumed } from "./pending.js";

/**
 * What a primitive returns: iterate it with `yield*` inside a model to send
 * its message to the handlers and get the value back, typed as `T`. A
 * primitive called without `yield*` does nothing, and the run ends with an
 * error naming the site.
 *
 * @example
 * const z = yield* sample("z", dist.Normal(0, 1)); // z: tf.Tensor
 */
export class Effect<T> {
  /** @param msg the message the effect yields (read and changed by the handlers) */
  constructor(readonly msg: Msg) {
    noteCreated(this);
  }
  /** The call as the user wrote it, for the missing-`yield*` error. */
  describe(): string {
    const kind = this.msg.type === "sample" && this.msg.role !== "sample" ? this.msg.role : this.msg.type;
    return `${kind}('${this.msg.name}')`;
  }
  /** Yield the message once; return the value the handlers and the runner settled on. */
  *[Symbol.iterator](): Generator<Msg, T, unknown> {
    noteConsumed(this);
    yield this.msg;
    return this.msg.value as T;
  }
}

export type TensorEffect = Effect<tf.Tensor>;
