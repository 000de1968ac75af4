/** Checks of traces that ELBOs share: model/guide agreement and log-prob shapes under plates. */
import { PPLModelError, nearestName } from "../errors.js";
import { checkLogProbShape } from "../runtime/log-prob-shape.js";
import type { SampleSite, Trace } from "../runtime/trace-struct.js";

/** Every guide latent site must exist in the model; every model latent must come from the guide (or be enumerated). */
export function checkModelGuideMatch(modelTrace: Trace, guideTrace: Trace, allowModelOnly: (site: SampleSite) => boolean): void {
  for (const g of guideTrace.latentSites()) {
    const m = modelTrace.get(g.name);
    if (m === undefined || m.type !== "sample") {
      const latents = [...modelTrace.latentSites()].map((s) => s.name);
      const near = nearestName(g.name, latents);
      throw new PPLModelError(
        `guide site '${g.name}' has no matching sample site in the model${near === undefined ? "" : ` (did you mean '${near}'?)`}; ` +
          `the guide must sample only the model's latent sites (model latents: ${latents.join(", ") || "none"})`,
        { site: g.name, expected: near },
      );
    }
    if (m.isObserved) {
      throw new PPLModelError(`guide site '${g.name}' is observed in the model; a guide must not sample observed sites`, {
        site: g.name,
      });
    }
  }
  for (const m of modelTrace.latentSites()) {
    if (m.role !== "sample") continue;
    if (guideTrace.get(m.name) === undefined && !allowModelOnly(m)) {
      throw new PPLModelError(
        `model site '${m.name}' is latent but the guide does not sample it. Either add it to the guide, ` +
          "or, for a discrete site, enumerate it with { infer: { enumerate: \"parallel\" } } and use TraceEnumELBO",
        { site: m.name },
      );
    }
  }
}

/**
 * A site's log-prob may only have size > 1 at dims of its enclosing plates
 * (or, with enumeration, at dims left of maxPlateNesting).
 */
export function checkSiteShape(
  site: SampleSite,
  logProbShape: readonly number[],
  maxPlateNesting: number | undefined,
  trace?: Trace,
): void {
  checkLogProbShape(site, logProbShape, (dim) => maxPlateNesting !== undefined && dim < -maxPlateNesting, trace);
}

/**
 * Inside vectorizedMarkov every latent site must be enumerated: a value drawn
 * (or taken from a guide) for all steps at once is conditioned on step 0's
 * state only, so the chain it scores is not the model's. Observed sites are fine.
 */
export function checkVectorizedMarkovSites(modelTrace: Trace): void {
  for (const site of modelTrace.latentSites()) {
    if (site.role !== "sample" || site.enumInfo?.kind === "parallel") continue;
    const tag = site.markov.find((m) => m.time !== undefined);
    if (tag === undefined) continue;
    throw new PPLModelError(
      `site '${site.name}' in vectorizedMarkov('${tag.chainName}') is latent but not enumerated. A vectorised chain scores all ` +
        "steps at once, so its latent sites must be summed out: mark the site { infer: { enumerate: \"parallel\" } } and use " +
        "TraceEnumELBO (or inferDiscrete); for other latents use a markov(range(T), ...) loop",
      { site: site.name, expected: "an enumerated site", actual: site.isObserved ? "observed" : "a sampled latent" },
    );
  }
}
