/**
 * Pyro's `param_capture`: the params that reach the outside of the model or
 * the guide during a step. A param hidden by `block(m, { hideTypes: ["param"] })`
 * never does, so SVI leaves it where it is (Pyro's mixture tutorial freezes a
 * global guide's params this way).
 */
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";

/** The capture each wrapped model reports to. */
const captures = new WeakMap<Model<never, unknown>, ParamCapture>();

export class ParamCapture {
  private names = new Set<string>();

  /** `model` reporting each param it uses (and does not hide) to this capture. */
  wrap<A extends unknown[], R>(model: Model<A, R>): Model<A, R> {
    const wrapped = withHandler(model, () => ({
      process: (msg) => {
        if (msg.type === "param") this.names.add(msg.name);
      },
    }));
    captures.set(wrapped as Model<never, unknown>, this);
    return wrapped;
  }

  /** Start a step: forget the params earlier steps saw. */
  reset(): void {
    this.names = new Set();
  }

  /** Note a param as seen. */
  add(name: string): void {
    this.names.add(name);
  }

  /** The params seen since the last reset. */
  get seen(): ReadonlySet<string> {
    return this.names;
  }
}

/**
 * Report to the capture that wrapped `model` (if one did) the params a run of
 * it would have reported: a compiled loss (jit/) replays the run's kernels
 * without running the model, and SVI learns the params its capture saw.
 */
export function reportParams(model: Model<never, unknown>, names: Iterable<string>): void {
  const capture = captures.get(model);
  if (capture === undefined) return;
  for (const name of names) capture.add(name);
}
