/**
 * REINFORCE for guide draws that cannot be reparameterised: returns a
 * surrogate with the ELBO's value whose gradient adds log q · ELBO for each
 * such site. Shared by every ELBO.
 */
import type * as tf from "@tensorflow/tfjs";
import { stopGradient } from "../ops/tensor.js";
import type { SampleSite, Trace } from "../runtime/trace-struct.js";

/** `exact`: sites the ELBO sums over exactly (enumerated in the guide), which need no score-function term. */
export function withScoreFunctionTerms(elbo: tf.Tensor, guideTrace: Trace, exact?: (site: SampleSite) => boolean): tf.Tensor {
  let scoreTerm: tf.Tensor | undefined;
  for (const site of guideTrace.latentSites()) {
    if (site.fn.hasRsample || exact?.(site) === true) continue;
    const lq = guideTrace.logProb(site.name).sum();
    const term = lq.sub(stopGradient(lq));
    scoreTerm = scoreTerm === undefined ? term : scoreTerm.add(term);
  }
  // no term at all when every draw is reparameterised: 0 * (-Infinity) would turn an infinite loss into NaN
  return scoreTerm === undefined ? elbo : elbo.add(scoreTerm.mul(stopGradient(elbo)));
}
