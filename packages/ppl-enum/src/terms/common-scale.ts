/**
 * Pyro's scale rule for enumeration: every site that depends on an enumerated
 * variable shares one number scale, taken outside the log-sum-exp.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { PPLModelError } from "ppl-core";
import { formatShape } from "ppl-core/internal";

/** The one scale that every site depending on an enumerated variable must share (Pyro takes it outside the log-sum-exp). */
export class CommonScale {
  private scale: number | undefined;
  private site = "";

  get value(): number {
    return this.scale ?? 1;
  }

  add(site: string, scale: number | tf.Tensor): void {
    if (typeof scale !== "number") {
      throw new PPLModelError(
        `at site '${site}': a tensor scale on a site that depends on enumerated variables is not supported ` +
          "(the scale must be taken outside the log-sum-exp). Fix: use a number for scale(...)",
        { site, expected: "a number", actual: `a tensor of shape ${formatShape(scale.shape)}` },
      );
    }
    if (this.scale === undefined) {
      this.scale = scale;
      this.site = site;
    } else if (Math.abs(this.scale - scale) > 1e-12 * Math.abs(this.scale)) {
      throw new PPLModelError(
        `all sites that depend on enumerated variables must share one scale, but '${this.site}' has ${this.scale} ` +
          `and '${site}' has ${scale}. Fix: apply the same scale(...) (or subsampling) to all of them`,
        { site, expected: String(this.scale), actual: String(scale) },
      );
    }
  }
}
