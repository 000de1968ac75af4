/**
 * Pyro's TraceEnum_ELBO.compute_marginals: each model-enumerated site's exact
 * posterior marginal given the rest of the run. It takes the ELBO's own road:
 * the model's factors go through the same plan and log ring with one more
 * factor per enumerated site, a zero offset δ over its plates and its own variable;
 * d log Z / d δ is the posterior probability of every value at every plate
 * member (log Z is a sum over paths of exp(Σ factors), so its derivative in
 * one factor entry is the posterior mass of the paths through that entry).
 * One backward pass gives every site's marginal; no second elimination is
 * written, so chains, plates and vectorizedMarkov are covered as the ELBO is.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Bernoulli, Categorical, OneHotCategorical, PPLModelError, dist, replay, trace, withHandler } from "ppl-core";
import type { Distribution, Model, SampleSite, Trace } from "ppl-core";
import { checkModelGuideMatch, checkVectorizedMarkovSites, withStepCache } from "ppl-core/internal";
import type { Dim } from "../contract/factor.js";
import type { PlanCache } from "../contract/plan-cache.js";
import { logRing } from "../contract/rings.js";
import { collectTerms } from "../terms/collect.js";
import { plateDim, timeDim, varDim, vectorizedFrames } from "../terms/dims.js";
import { EnumMessenger } from "../enum/enum-handler.js";
import { runSequentially } from "../enum/sequential.js";
import { contractTerms } from "../terms/contract-terms.js";

/** A site's marginal: Bernoulli for a Bernoulli site, OneHotCategorical for a OneHotCategorical site, otherwise a Categorical over its support's positions. */
export type MarginalDistribution = Bernoulli | Categorical | OneHotCategorical;

/** The offset added to one site's factor: its dims are the site's plates (leftmost first) and its own variable. */
interface Offset {
  readonly site: SampleSite;
  readonly dims: readonly Dim[];
  readonly shape: readonly number[];
  /** The marginal's batch shape: every positional dim from the site's leftmost plate to -1 (1 where it has no plate). */
  readonly batchShape: readonly number[];
}

/** Each model-enumerated site's posterior marginal, in site order (see {@link TraceEnumELBO.computeMarginals}). */
export function computeMarginals<A extends unknown[]>(
  model: Model<A>,
  guide: Model<A>,
  args: A,
  maxPlateNesting: number,
  plans: PlanCache,
): Map<string, MarginalDistribution> {
  // everything but the marginals' probabilities is made and freed inside this tidy (the runs' own tensors too)
  let families: { readonly name: string; readonly fn: Distribution }[] = [];
  const probs = withStepCache(() => tf.tidy(() => {
    const { modelTrace, guideTrace } = enumeratedTraces(model, guide, args, -1 - maxPlateNesting);
    try {
      const offsets = offsetsOf(modelTrace.sampleSites());
      families = offsets.map((o) => ({ name: o.site.name, fn: o.site.fn }));
      return offsets.length === 0 ? [] : posteriorProbs(offsets, modelTrace, plans);
    } finally {
      modelTrace.dispose();
      guideTrace.dispose();
    }
  }));
  return new Map(families.map((f, k) => [f.name, marginalDistribution(f.fn, probs[k]!)]));
}

/** The guide's trace and the model's, replayed against it under parallel enumeration; refuses what Pyro refuses. */
function enumeratedTraces<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, firstAvailableDim: number): { modelTrace: Trace; guideTrace: Trace } {
  const guideEnum = new EnumMessenger(firstAvailableDim, { side: "guide" });
  const guideRuns = runSequentially((fixer) => trace(withHandler(withHandler(guide, fixer), () => guideEnum)).getTrace(...args));
  const guideTrace = guideRuns[0]!.result;
  const guideSite = guideRuns.length > 1 ? [...guideRuns[0]!.totals.keys()][0] : [...guideTrace.sampleSites()].find((s) => s.enumInfo !== undefined)?.name;
  if (guideSite !== undefined) {
    for (const run of guideRuns) run.result.dispose();
    throw new PPLModelError(
      `TraceEnumELBO.computeMarginals is not compatible with guide enumeration, but guide site '${guideSite}' is enumerated ` +
        "(as in Pyro: the marginals are the model's, given the guide's draws). Fix: leave the guide's sites unenumerated, " +
        "or compute the marginals of a model that enumerates them itself",
      { site: guideSite, expected: "a guide without enumerated sites", actual: "an enumerated guide site" },
    );
  }
  const modelEnum = new EnumMessenger(firstAvailableDim, { guide: guideEnum });
  const modelRuns = runSequentially((fixer) => trace(withHandler(withHandler(replay(model, { trace: guideTrace }), fixer), () => modelEnum)).getTrace(...args));
  const modelTrace = modelRuns[0]!.result;
  try {
    if (modelRuns.length > 1) {
      const site = [...modelRuns[0]!.totals.keys()][0]!;
      throw new PPLModelError(
        `TraceEnumELBO.computeMarginals enumerates in parallel only, but model site '${site}' is marked infer.enumerate = "sequential". ` +
          'Fix: mark it infer.enumerate = "parallel"',
        { site, expected: "parallel", actual: "sequential" },
      );
    }
    checkModelGuideMatch(modelTrace, guideTrace, (s) => s.enumInfo !== undefined);
    checkVectorizedMarkovSites(modelTrace);
  } catch (err) {
    for (const run of modelRuns) run.result.dispose();
    guideTrace.dispose();
    throw err;
  }
  return { modelTrace, guideTrace };
}

/** One offset per model-enumerated site (in site order). */
function offsetsOf(sites: Iterable<SampleSite>): Offset[] {
  const offsets: Offset[] = [];
  for (const site of sites) {
    const info = site.enumInfo;
    if (info?.kind !== "parallel" || info.variable.side !== "model") continue;
    const frames = vectorizedFrames(site).sort((a, b) => a.dim - b.dim);
    const plateDims = frames.map((f) => (f.time === true ? timeDim(f.name) : plateDim(f.name)));
    const batchRank = frames.length === 0 ? 0 : -frames[0]!.dim;
    const batchShape = new Array<number>(batchRank).fill(1);
    for (const f of frames) batchShape[batchRank + f.dim] = f.subsampleSize;
    offsets.push({
      site,
      dims: [...plateDims, varDim(info.variable.id)],
      shape: [...frames.map((f) => f.subsampleSize), info.variable.size],
      batchShape,
    });
  }
  return offsets;
}

/** d log Z / d offset for every offset: each site's posterior probabilities, shaped [...batchShape, K]. */
function posteriorProbs(offsets: readonly Offset[], modelTrace: Trace, plans: PlanCache): tf.Tensor[] {
  const logZ = (...deltas: tf.Tensor[]): tf.Scalar => {
    // each offset is one more factor of the site's variable, in the site's plates, collected with the site's
    // own: in a vectorizedMarkov chain or a stacked markov loop it joins the site's step
    const terms = collectTerms(modelTrace, "elbo", true, offsets.map((o, k) => ({ site: o.site, dims: o.dims, data: deltas[k]! })));
    const { plan, roots } = contractTerms(terms, plans, logRing)!;
    let total: tf.Tensor = tf.scalar(0);
    roots.forEach((root, i) => {
      total = total.add(root.sum().mul(plan.rootMultipliers[i]!));
    });
    return total as tf.Scalar;
  };
  const grads = tf.grads(logZ)(offsets.map((o) => tf.zeros([...o.shape])));
  return grads.map((g, k) => g.reshape([...offsets[k]!.batchShape, offsets[k]!.shape[offsets[k]!.shape.length - 1]!]));
}

/**
 * The marginal as a distribution: Pyro's choice of family (a Bernoulli site's marginal is a Bernoulli, a
 * OneHotCategorical's a OneHotCategorical), every other enumerated family a Categorical over the positions of
 * its enumerated support (for Categorical, Binomial and the other integer families, the value itself).
 */
function marginalDistribution(fn: Distribution, probs: tf.Tensor): MarginalDistribution {
  if (fn instanceof Bernoulli) {
    // P(1) / (P(0) + P(1)): the two entries of the last axis, normalised against float32 rounding
    const p = tf.tidy(() => {
      const [p0, p1] = tf.unstack(probs, -1) as [tf.Tensor, tf.Tensor];
      return p1.div(p0.add(p1));
    });
    probs.dispose();
    return dist.Bernoulli({ probs: p });
  }
  if (fn instanceof OneHotCategorical) return dist.OneHotCategorical({ probs });
  return dist.Categorical({ probs });
}
