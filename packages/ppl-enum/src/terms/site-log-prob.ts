/**
 * Which log-density a site contributes, by Pyro's masking rules. In the ELBO
 * (TraceEnum_ELBO) an enumerated site's own log-prob is not masked: it stays
 * normalised over its support, so a masked one adds no log K. Decoding
 * masks it, as infer_discrete scores a trace. Every other site is masked
 * before its dims are read, since a mask may broadcast the log-prob up to
 * plate dims it lacked. At its own (tagged) support a distribution may leave
 * out plate dims it is constant along: the contraction treats a missing dim
 * as constant.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type EnumSide, logProbError, scaleAndMask } from "ppl-core/internal";
import type { SampleSite } from "ppl-core";

/**
 * `purpose`: "elbo" keeps the costs and, as Pyro's TraceEnum_ELBO, leaves an
 * enumerated site's own log-prob unmasked; "decode" drops the costs and masks
 * every site, as Pyro's infer_discrete scores a trace.
 */
export type CollectPurpose = "elbo" | "decode";

/** The side that enumerates the site itself (in parallel, or sequentially: fixed to one value in this run), if any. */
export function enumeratedBy(site: SampleSite): EnumSide | undefined {
  const info = site.enumInfo;
  if (info?.kind === "parallel") return info.variable.side;
  return info?.kind === "sequential" ? site.enumScope?.side : undefined;
}

/** The site's log-density, its mask applied unless it is the model's own enumerated site in an ELBO. */
export function siteLogProb(site: SampleSite, purpose: CollectPurpose): { raw: tf.Tensor; lp: tf.Tensor } {
  let raw: tf.Tensor;
  try {
    raw = site.fn.logProb(site.value);
  } catch (err) {
    throw logProbError(site, err);
  }
  const keepUnmasked = purpose === "elbo" && enumeratedBy(site) === "model";
  return { raw, lp: keepUnmasked ? raw : scaleAndMask(raw, 1, site.mask) };
}
