/**
 * REINFORCE for guide draws that cannot be reparameterised: returns a
 * surrogate with the ELBO's value whose gradient adds ∇log q · ELBO for each
 * such site. Shared by every ELBO.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { stopGradient } from "../ops/tensor.js";
import type { SampleSite, Trace } from "../runtime/trace-struct.js";

/**
 * log q of the site's draw, neither scaled nor masked (Pyro's
 * `score_function`): ∇E_q[f] = E_q[∇log q · f] whatever the site's scale
 * and mask, and the costs it multiplies are scaled already (a scaled score
 * would count a subsampling factor twice).
 */
export function scoreFunction(site: SampleSite, guideTrace: Trace): tf.Tensor {
  return site.scale === 1 && site.mask === true ? guideTrace.logProb(site.name) : site.fn.logProb(site.value);
}

/** `exact`: sites the ELBO sums over exactly (enumerated in the guide), which need no score-function term. */
export function withScoreFunctionTerms(elbo: tf.Tensor, guideTrace: Trace, exact?: (site: SampleSite) => boolean): tf.Tensor {
  let scoreTerm: tf.Tensor | undefined;
  for (const site of guideTrace.latentSites()) {
    if (site.fn.hasRsample || exact?.(site) === true) continue;
    const lq = scoreFunction(site, guideTrace).sum();
    const term = lq.sub(stopGradient(lq));
    scoreTerm = scoreTerm === undefined ? term : scoreTerm.add(term);
  }
  // no term at all when every draw is reparameterised: 0 * (-Infinity) would turn an infinite loss into NaN
  return scoreTerm === undefined ? elbo : elbo.add(scoreTerm.mul(stopGradient(elbo)));
}
