/**
 * `yield*`-able effects. Iterating an effect yields its message once and
 * returns the value the handlers and runner put on it, typed (Effect-TS's
 * single-shot generator trick), so `const z = yield* sample(...)` is a Tensor.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Msg } from "./messages.js";
import { noteCreated, noteConsumed } from "./pending.js";

export class Effect<T> {
  constructor(readonly msg: Msg) {
    noteCreated(this);
  }
  /** The call as the user wrote it, for the missing-`yield*` error. */
  describe(): string {
    const kind = this.msg.type === "sample" && this.msg.role !== "sample" ? this.msg.role : this.msg.type;
    return `${kind}('${this.msg.name}')`;
  }
  *[Symbol.iterator](): Generator<Msg, T, unknown> {
    noteConsumed(this);
    yield this.msg;
    return this.msg.value as T;
  }
}

export type TensorEffect = Effect<tf.Tensor>;
