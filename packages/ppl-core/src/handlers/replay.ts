import { PPLConfigError, PPLModelError } from "../errors.js";
import type { Model } from "../runtime/messages.js";
import { Trace } from "../runtime/trace-struct.js";
import { withNamesChecked } from "./site-names.js";

/**
 * Reuse the values of a trace's sample sites at the same-named unobserved
 * sites. A latent site of the trace that is not a sample site of the run (a
 * misspelling in the guide the trace came from) is an error naming it and the
 * nearest site, when the run ends: Pyro's replay would leave it unused and
 * draw the model's site afresh. A site a block inside hides keeps its own
 * value, as in Pyro (the block says so; a full trace may be replayed into a
 * model that hides part of it).
 */
export function replay<A extends unknown[], R>(model: Model<A, R>, options: { trace: Trace }): Model<A, R> {
  const source = options?.trace;
  if (!(source instanceof Trace)) {
    throw new PPLConfigError("replay(model, { trace }): trace must be a Trace, such as trace(guide).getTrace(...args)", {
      expected: "a Trace", actual: source === undefined ? "undefined" : typeof source,
    });
  }
  return withNamesChecked(model, () => [...source.latentSites()].map((s) => s.name), {
    who: "replay", kind: "sample", subject: "the replayed trace (under an ELBO: the guide's) has a latent", hiddenOk: true,
    otherKindFix: "sample the site in the model (replay replaces the values of sample sites only)",
  }, (msg) => {
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
  }, "replay");
}
