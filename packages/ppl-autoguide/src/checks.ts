/** Checks of the arguments of the guides' `quantiles(qs)` and `sample(n)`, with the same messages everywhere. */
import { PPLConfigError } from "ppl-core";
import { checkTensorElements } from "ppl-core/internal";
import type { PrototypeSite } from "./prototype.js";

/** The probabilities of a `quantiles(qs)` call, checked: each strictly inside (0, 1). */
export function checkQuantiles(who: string, qs: readonly number[]): void {
  if (!Array.isArray(qs) || qs.length === 0 || qs.some((q) => typeof q !== "number" || !(q > 0 && q < 1))) {
    throw new PPLConfigError(`${who}.quantiles: qs must be a non-empty array of probabilities strictly between 0 and 1, got ${JSON.stringify(qs)}`, {
      expected: "e.g. [0.05, 0.5, 0.95]", actual: JSON.stringify(qs),
    });
  }
}

/**
 * numSamples of a guide's `sample(n)`: a positive integer, and few enough that
 * `n` draws of each site fit the tensor size limit (refused before drawing,
 * as ppl's own plates and enumerations are).
 */
export function checkNumSamples(who: string, n: number, sites: readonly PrototypeSite[]): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new PPLConfigError(`${who}.sample: numSamples must be a positive integer, got ${n}`, {
      expected: "a positive integer", actual: String(n),
    });
  }
  for (const site of sites) {
    checkTensorElements(n * site.shape.reduce((p, d) => p * d, 1), () => ({
      subject: `${who}.sample(${n})`, site: site.name, holds: `${n.toLocaleString("en-US")} draws of site '${site.name}' (shape [${site.shape.join(", ")}])`,
      fix: "draw in batches: call sample(n) several times with a smaller n",
    }));
  }
}
