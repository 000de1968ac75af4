/**
 * TraceGraph_ELBO: TraceELBO whose score-function terms are
 * Rao-Blackwellised as Pyro's are. A guide site z that cannot be
 * reparameterised multiplies ∇log q(z) not by the whole ELBO but by its
 * downstream cost: the log p − log q of z and of every guide site drawn
 * after it, and the log p of every model-only site after them in the model
 * (Pyro's dense dependency graph), without the iterations of a sequential
 * plate other than z's own; and each cost is summed only over the plate
 * members z shares, so member i's score meets member i's cost alone.
 */
import type * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { isVectorizedFrame } from "../handlers/plate.js";
import { stopGradient } from "../ops/tensor.js";
import { parseOptions } from "../options.js";
import type { Model } from "../runtime/messages.js";
import type { SampleSite, Trace } from "../runtime/trace-struct.js";
import { ParticleELBO, type ParticleOptions, particleOptions } from "./particle-elbo.js";
import { scoreFunction } from "./score-function.js";
import { checkedTraces, logPMinusLogQ } from "./trace-elbo.js";

const traceGraphOptions = z.strictObject(particleOptions);

/** Options of {@link TraceGraphELBO}: `numParticles` (1), `vectorizeParticles` (false), `maxPlateNesting`. */
export type TraceGraphELBOOptions = ParticleOptions;

/**
 * Pyro's TraceGraph_ELBO: the same value as TraceELBO, a lower-variance
 * gradient for guides with discrete (non-reparameterisable) sites in plates.
 *
 * @example
 * const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceGraphELBO());
 */
export class TraceGraphELBO extends ParticleELBO {
  constructor(options: TraceGraphELBOOptions = {}) {
    super(parseOptions("TraceGraphELBO", traceGraphOptions, options));
  }

  protected surrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined): tf.Tensor {
    const { modelTrace, guideTrace } = checkedTraces(model, guide, args, maxPlateNesting);
    let surrogate = logPMinusLogQ(modelTrace, guideTrace);
    const guideSites = [...guideTrace.latentSites()];
    const modelSites = [...modelTrace.sampleSites()];
    guideSites.forEach((site, i) => {
      if (site.fn.hasRsample) return;
      const cost = stopGradient(downstreamCost(site, guideSites.slice(i), modelSites, modelTrace, guideTrace));
      const lq = sumToPlates(scoreFunction(site, guideTrace), site);
      surrogate = surrogate.add(lq.sub(stopGradient(lq)).mul(cost).sum());
    });
    return surrogate;
  }
}

/** Two sites in different iterations of one sequential plate are independent (Pyro's dense graph leaves out their edge). */
function independent(a: SampleSite, b: SampleSite): boolean {
  return a.condIndepStack.some((f) => !isVectorizedFrame(f) && b.condIndepStack.some((g) => !isVectorizedFrame(g) && g.name === f.name && g.index !== f.index));
}

/** The cost downstream of `site` (`later`: the guide's sites from it on), summed to the site's plates. */
function downstreamCost(site: SampleSite, later: SampleSite[], modelSites: SampleSite[], modelTrace: Trace, guideTrace: Trace): tf.Tensor {
  const downstream = later.filter((u) => !independent(site, u));
  const names = new Set(downstream.map((u) => u.name));
  const firstInModel = modelSites.findIndex((m) => names.has(m.name));
  const parts: tf.Tensor[] = [];
  for (const u of downstream) parts.push(sumToPlates(modelTrace.logProb(u.name).sub(guideTrace.logProb(u.name)), site));
  modelSites.forEach((m, j) => {
    if (j > firstInModel && !names.has(m.name) && !independent(site, m)) parts.push(sumToPlates(modelTrace.logProb(m.name), site));
  });
  // a term outside one of the site's plates (size 1 there) counts for every member, as Pyro's sum_to broadcasts it
  return parts.reduce((a, b) => a.add(b));
}

/**
 * `t` summed over every dim but those of the site's vectorised plates, laid
 * out as a tensor of rank (the site's deepest plate dim) with size 1 along
 * plates the site is not in.
 */
function sumToPlates(t: tf.Tensor, site: SampleSite): tf.Tensor {
  const dims = new Set(site.condIndepStack.filter(isVectorizedFrame).map((f) => f.dim));
  const rank = Math.max(0, ...[...dims].map((d) => -d));
  const axes = t.shape.map((_, a) => a).filter((a) => !dims.has(a - t.rank));
  const summed = axes.length === 0 ? t : t.sum(axes, true);
  const shape = Array.from({ length: rank }, (_, k) => {
    const d = k - rank;
    return dims.has(d) && t.rank >= -d ? summed.shape[t.rank + d]! : 1;
  });
  return summed.reshape(shape);
}
