/**
 * A site's support in the current run. A support whose bounds are tensors
 * (`Uniform(0, a)` with `a` latent: interval(0, a)) belongs to the run that
 * made it: the prototype's copy is gone with the prototype, and its bounds
 * move with `a`. Such a site's support is read from the model again each time
 * the guide needs it, with the guide's values of the sites before it in place,
 * so `b = a · sigmoid(x)` follows (and differentiates through) this run's `a`.
 * A support without tensors (the usual case) is the prototype's, read once.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type Constraint, type Model, PPLConfigError, PPLModelError, withHandler } from "ppl-core";
import { applyDefault } from "ppl-core/internal";
import type { PrototypeSite } from "./prototype.js";

/**
 * The support of `site` for the latent values `values` (by site name, constrained): the prototype's when it holds
 * no tensors, otherwise the model run up to `site` with `values` in place (a draw from the prior for any other
 * latent it meets first). The constraint may refer to tensors of this call: use it in the same scope.
 */
export function currentSupport<A extends unknown[]>(
  guideName: string,
  model: Model<A>,
  site: PrototypeSite,
  values: Readonly<Record<string, tf.Tensor>>,
  args: A,
): Constraint {
  if (!site.support.holdsTensors) return site.support;
  const probe = withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved || msg.value !== undefined) return;
      const v = values[msg.name];
      if (v === undefined) return;
      msg.value = v;
      msg.done = true;
    },
  }));
  const gen = probe(...args);
  let step = gen.next();
  while (!step.done) {
    const msg = step.value;
    if (msg.type === "sample" && msg.name === site.name && !msg.stop) {
      // stop the run here: return() unwinds the model's generators without running the rest of it
      gen.return(undefined as never);
      return msg.fn.support;
    }
    applyDefault(msg);
    step = gen.next();
  }
  throw new PPLModelError(
    `${guideName}: site '${site.name}' has a support that depends on other sites, but the model did not reach it when run again ` +
      "with the guide's values; the model's structure must not change between runs",
    { site: site.name },
  );
}

/**
 * Marginal quantiles and independent per-site draws push each site through its own support; a support that moves
 * with another latent has no such marginal map, so `quantiles` and `sample` refuse it, naming the site.
 */
export function refuseDependentSupports(guideName: string, sites: readonly PrototypeSite[]): void {
  const site = sites.find((s) => s.support.holdsTensors);
  if (site === undefined) return;
  throw new PPLConfigError(
    `${guideName}: site '${site.name}' has a support that depends on other sites (${site.support.name}), so its values ` +
      "cannot be pushed through one fixed transform: quantiles() and sample(n) are not available for it.\n" +
      "Fix:\n- use median() (it follows the medians of the sites before it)\n" +
      "- or draw joint posterior samples by running the guide, e.g. Predictive(model, { guide, numSamples })",
    { site: site.name, expected: "a support with constant bounds", actual: site.support.name },
  );
}
