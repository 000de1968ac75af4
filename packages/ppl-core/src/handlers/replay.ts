import { PPLModelError } from "../errors.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";
import type { Trace } from "../runtime/trace-struct.js";

/** Reuse the values of a trace's sample sites at the same-named unobserved sites. */
export function replay<A extends unknown[], R>(model: Model<A, R>, options: { trace: Trace }): Model<A, R> {
  const source = options.trace;
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved) return;
      const site = source.get(msg.name);
      if (site === undefined) return;
      if (site.type !== "sample" || site.isObserved) {
        throw new PPLModelError(
          `replay: site '${msg.name}' must be a latent sample site in the replayed trace, but there it is ` +
            (site.type === "sample" ? "observed" : `a ${site.type} site`),
          { site: msg.name },
        );
      }
      msg.value = site.value;
      msg.infer = { ...site.infer };
      msg.done = true;
    },
  }));
}
