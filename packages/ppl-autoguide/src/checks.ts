/** Checks of the arguments of the guides' `quantiles(qs)` and `sample(n)`, with the same messages everywhere. */
import { PPLConfigError } from "ppl-core";

/** The probabilities of a `quantiles(qs)` call, checked: each strictly inside (0, 1). */
export function checkQuantiles(who: string, qs: readonly number[]): void {
  if (!Array.isArray(qs) || qs.length === 0 || qs.some((q) => typeof q !== "number" || !(q > 0 && q < 1))) {
    throw new PPLConfigError(`${who}.quantiles: qs must be a non-empty array of probabilities strictly between 0 and 1, got ${JSON.stringify(qs)}`, {
      expected: "e.g. [0.05, 0.5, 0.95]", actual: JSON.stringify(qs),
    });
  }
}

/** numSamples of a guide's `sample(n)`: a positive integer. */
export function checkNumSamples(who: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new PPLConfigError(`${who}.sample: numSamples must be a positive integer, got ${n}`, {
      expected: "a positive integer", actual: String(n),
    });
  }
}
