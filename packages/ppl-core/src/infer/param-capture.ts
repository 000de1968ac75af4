/**
 * Pyro's `param_capture`: the params that reach the outside of the model or
 * the guide during a step. A param hidden by `block(m, { hideTypes: ["param"] })`
 * never does, so SVI leaves it where it is (Pyro's mixture tutorial freezes a
 * global guide's params this way).
 */
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";

export class ParamCapture {
  private names = new Set<string>();

  /** `model` reporting each param it uses (and does not hide) to this capture. */
  wrap<A extends unknown[], R>(model: Model<A, R>): Model<A, R> {
    return withHandler(model, () => ({
      process: (msg) => {
        if (msg.type === "param") this.names.add(msg.name);
      },
    }));
  }

  /** Start a step: forget the params earlier steps saw. */
  reset(): void {
    this.names = new Set();
  }

  /** The params seen since the last reset. */
  get seen(): ReadonlySet<string> {
    return this.names;
  }
}
