/**
 * TraceMeanField_ELBO: TraceELBO with KL(q ‖ p) in closed form wherever the
 * guide's and the model's distributions of a latent site have one (see
 * kl.ts for the pairs), and log p − log q of the draw elsewhere. Lower
 * variance than TraceELBO, but only right when the guide is mean field
 * with respect to the model: no latent site's prior may depend on another
 * latent site the KL term would then treat as fixed.
 */
import type * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { PPLModelError } from "../errors.js";
import { weightedSum } from "../ops/weighted-sum.js";
import { parseOptions } from "../options.js";
import type { Model } from "../runtime/messages.js";
import { scaleAndMask } from "../runtime/trace-struct.js";
import { klDivergence } from "./kl.js";
import { ParticleELBO, type ParticleOptions, particleOptions } from "./particle-elbo.js";
import { checkedTraces } from "./trace-elbo.js";

const meanFieldOptions = z.strictObject(particleOptions);

/** Options of {@link TraceMeanFieldELBO}: `numParticles` (1), `vectorizeParticles` (false), `maxPlateNesting`. */
export type TraceMeanFieldELBOOptions = ParticleOptions;

/**
 * Pyro's TraceMeanField_ELBO. Every guide site must be reparameterised
 * (Pyro's requirement).
 *
 * @example
 * const svi = new SVI(model, new AutoNormal(model), new Adam({ lr: 0.01 }), new TraceMeanFieldELBO());
 */
export class TraceMeanFieldELBO extends ParticleELBO {
  constructor(options: TraceMeanFieldELBOOptions = {}) {
    super(parseOptions("TraceMeanFieldELBO", meanFieldOptions, options));
  }

  protected surrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined): tf.Tensor {
    const { modelTrace, guideTrace } = checkedTraces(model, guide, args, maxPlateNesting);
    const terms: tf.Tensor[] = [];
    const weights: number[] = [];
    const add = (t: tf.Tensor, w: number) => {
      terms.push(t);
      weights.push(w);
    };
    for (const site of modelTrace.sampleSites()) {
      const g = site.isObserved ? undefined : guideTrace.get(site.name);
      if (g === undefined || g.type !== "sample") {
        add(modelTrace.logProb(site.name), 1);
        continue;
      }
      if (!g.fn.hasRsample) {
        throw new PPLModelError(
          `TraceMeanFieldELBO: guide site '${g.name}' (${g.fn.name}) cannot be reparameterised; this ELBO has no ` +
            "score-function terms. Use TraceELBO or TraceGraphELBO for it, or TraceEnumELBO to enumerate a discrete site",
          { site: g.name, expected: "a reparameterised guide distribution", actual: g.fn.name },
        );
      }
      const kl = klDivergence(g.fn, site.fn);
      if (kl === undefined) {
        add(modelTrace.logProb(site.name), 1);
        add(guideTrace.logProb(g.name), -1);
      } else {
        // the guide site's plates scale and mask its KL as they would its log q
        add(scaleAndMask(kl, g.scale, g.mask), -1);
      }
    }
    // guide-only (auxiliary) sites would be caught by the site match; nothing else to add
    return weightedSum(terms, weights);
  }
}
