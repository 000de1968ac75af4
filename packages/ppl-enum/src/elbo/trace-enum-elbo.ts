/**
 * TraceEnumELBO: the guide's trace, the model replayed against it under
 * enumeration, and every log-factor that depends on an enumerated variable
 * contracted exactly in log space (respecting plates). Everything else is an
 * ordinary cost term, as in TraceELBO.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { PPLConfigError, PPLModelError, replay, trace, withHandler } from "ppl-core";
import {
  ParticleELBO, checkModelGuideMatch, checkSiteShape, checkVectorizedMarkovSites, guessMaxPlateNesting, parseOptions, particleOptions,
  weightedSum, withScoreFunctionTerms,
} from "ppl-core/internal";
import type { Model, ParticleOptions, SampleSite, Trace } from "ppl-core";
import { expectedCost, logMarginal } from "../contract/expectation.js";
import type { Dim, Factor } from "../contract/factor.js";
import { PlanCache } from "../contract/plan-cache.js";
import { logRing } from "../contract/rings.js";
import { type CollectedTerms, type CostTerm, collectTerms } from "../terms/collect.js";
import { ordinalOf } from "../terms/dims.js";
import { stackSequentialRuns } from "../terms/stack-runs.js";
import { runSequentially } from "../enum/sequential.js";
import { contractTerms } from "../terms/contract-terms.js";
import { EnumMessenger } from "../enum/enum-handler.js";
import { type MarginalDistribution, computeMarginals } from "./marginals.js";

const traceEnumELBOOptions = z.strictObject({
  ...particleOptions,
  /**
   * Sum out markov chains (first-order, one size per step) with one fused
   * forward–backward op instead of one log-sum-exp per step. Same value;
   * far fewer tfjs ops. On by default; false forces the step-by-step path
   * for markov loops (a vectorizedMarkov chain has no steps to go through:
   * it is always contracted by the fused op).
   */
  fuseChains: z._default(z.boolean(), true),
});

/**
 * Options of {@link TraceEnumELBO}: the particle options (`numParticles`, `vectorizeParticles`,
 * `maxPlateNesting`, inferred from a first run when left out) and `fuseChains` (default true).
 */
export type TraceEnumELBOOptions = ParticleOptions & {
  /** Sum out first-order markov chains with one fused forward–backward op (default true; same value, fewer ops). */
  readonly fuseChains?: boolean;
};

/**
 * Pyro's TraceEnum_ELBO: sites marked `infer: { enumerate: "parallel" }` (or
 * "sequential") are summed out exactly, in the model and in the guide; the
 * rest is Monte Carlo as in TraceELBO.
 *
 * @example
 * const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
 * const svi = new SVI(model, new AutoDelta(block(model, { expose: ["locs", "scales"] })), new Adam({ lr: 0.05 }), elbo);
 */
export class TraceEnumELBO extends ParticleELBO {
  private readonly plans: PlanCache;
  /** Plans whose factors carry a guide's enumerated variables (left free: a fused chain runs once per their values). */
  private readonly freePlans: PlanCache;
  /** Whether chains are eliminated by the chain kernel (markov loops stacked along time, chains the plan finds) or one variable at a time. */
  private readonly fuseChains: boolean;
  /** Plans of the guide's marginals under each cost (the expectation's weights). */
  private readonly marginalPlans: PlanCache;
  /** Plans of computeMarginals' contractions (one offset factor more per enumerated site). */
  private readonly marginalsPlans: PlanCache;

  constructor(options: TraceEnumELBOOptions = {}) {
    const o = parseOptions("TraceEnumELBO", traceEnumELBOOptions, options);
    super(o);
    this.fuseChains = o.fuseChains;
    // fuseChains means the same for every contraction of the ELBO
    this.plans = new PlanCache({ fuseChains: o.fuseChains });
    this.freePlans = new PlanCache({ fuseChains: o.fuseChains });
    this.marginalPlans = new PlanCache({ fuseChains: o.fuseChains }, 256);
    this.marginalsPlans = new PlanCache({ fuseChains: o.fuseChains });
  }

  protected override needsPlateNesting(): boolean {
    return true;
  }

  /**
   * Pyro's `TraceEnum_ELBO.compute_marginals`: the exact posterior marginal of
   * every site the model enumerates (in parallel), given the guide's draws of
   * the rest, keyed by site name in trace order. A Bernoulli site's marginal
   * is a Bernoulli, a OneHotCategorical's a OneHotCategorical, every other
   * family's a Categorical over the positions of its enumerated support; the
   * batch shape covers the site's plates (dims -1 leftwards to its leftmost
   * plate, 1 where it has none). Refused, as in Pyro, with guide enumeration
   * or more than one particle. For a joint draw or the MAP assignment use
   * {@link inferDiscrete} (docs/infer-discrete.md).
   *
   * @example
   * const marginals = new TraceEnumELBO({ maxPlateNesting: 1 }).computeMarginals(model, guide, data);
   * marginals.get("assignment")!.probs; // [N, K]: P(assignment_n = k | data)
   */
  computeMarginals<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): Map<string, MarginalDistribution> {
    if (this.numParticles !== 1) {
      throw new PPLConfigError(
        `TraceEnumELBO.computeMarginals is not compatible with numParticles = ${this.numParticles}: the marginals are exact given one guide run. ` +
          "Fix: call it on a TraceEnumELBO with numParticles 1",
        { expected: "numParticles 1", actual: `numParticles ${this.numParticles}` },
      );
    }
    const nesting = this.maxPlateNesting ?? guessMaxPlateNesting(model, guide, args);
    return computeMarginals(model, guide, args, nesting, this.marginalsPlans);
  }

  /** The surrogate ELBO: its value is the ELBO, its gradient the ELBO's gradient estimate. */
  protected surrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, nesting: number | undefined): tf.Tensor {
    const maxPlateNesting = nesting!;
    const firstAvailableDim = -1 - maxPlateNesting;
    // one run per joint value of the guide's sequentially enumerated sites (just one run when it has none)
    const runs = runSequentially((guideFixer) => {
      const guideEnum = new EnumMessenger(firstAvailableDim, { side: "guide" });
      const guideTrace = trace(withHandler(withHandler(guide, guideFixer), () => guideEnum)).getTrace(...args);
      for (const site of guideTrace.sampleSites()) checkSiteShape(site, guideTrace.logProb(site.name).shape, maxPlateNesting);
      // and the model once per joint value of its own sequential sites
      const modelRuns = runSequentially((modelFixer) => {
        const modelEnum = new EnumMessenger(firstAvailableDim, { guide: guideEnum });
        const modelTrace = trace(withHandler(withHandler(replay(model, { trace: guideTrace }), modelFixer), () => modelEnum)).getTrace(...args);
        checkModelGuideMatch(modelTrace, guideTrace, isEnumerated);
        checkVectorizedMarkovSites(modelTrace);
        return collectTerms(modelTrace, "elbo", this.fuseChains);
      });
      const terms = modelRuns.length === 1 && modelRuns[0]!.totals.size === 0
        ? modelRuns[0]!.result
        : stackSequentialRuns(modelRuns.map((r) => ({ terms: r.result, assignment: r.assignment, totals: r.totals })));
      return { guideTrace, terms };
    });
    let total: tf.Tensor | undefined;
    for (const { result } of runs) {
      const { guideTrace, terms } = result;
      const particle = [...guideTrace.sampleSites()].some(isEnumerated)
        ? this.expectedParticle(terms, guideTrace)
        : this.plainParticle(terms, guideTrace);
      // each run's sampled (not enumerated) guide sites get their own score-function terms
      const surrogate = withScoreFunctionTerms(particle, guideTrace, isEnumerated);
      total = total === undefined ? surrogate : total.add(surrogate);
    }
    for (const r of runs) r.result.guideTrace.dispose();
    return total!;
  }

  /** No enumeration in the guide: the model's factors contracted and every term summed in one weighted sum. */
  private plainParticle(terms: CollectedTerms, guideTrace: Trace): tf.Tensor {
    // every term enters one weighted sum (one op): the costs, the contracted parts times the shared scale, minus log q
    const parts: tf.Tensor[] = terms.costs.map((c) => c.data);
    const weights: number[] = terms.costs.map(() => 1);
    const contracted = contractTerms(terms, this.plans, logRing);
    contracted?.roots.forEach((root, i) => {
      parts.push(root);
      weights.push(terms.scale * contracted.plan.rootMultipliers[i]!);
    });
    for (const site of guideTrace.latentSites()) {
      parts.push(guideTrace.logProb(site.name));
      weights.push(-1);
    }
    return weightedSum(parts, weights);
  }

  /**
   * The guide enumerates: the model's own enumerated variables are contracted
   * with the guide's left free, and every term (model costs, contracted parts,
   * -log q) is averaged exactly over the guide's enumerated values (Pyro's
   * Dice expectation), the guide's sequential sites read from its trace.
   */
  private expectedParticle(terms: CollectedTerms, guideTrace: Trace): tf.Tensor {
    const q = collectTerms(guideTrace, "elbo");
    checkGuideEnumerationIsGlobalEnough(terms, q, guideTrace);
    const sizes = new Map([...terms.varSizes, ...terms.plateSizes, ...q.varSizes, ...q.plateSizes]);
    const label = (d: Dim) => (terms.label(d) === d ? q.label(d) : terms.label(d));
    const costs: { factor: Factor; ordinal: readonly Dim[]; weight: number }[] = [];
    const squeezedCost = (c: CostTerm): Factor => ({ data: c.data.rank === c.sizes.length ? c.data : c.data.reshape([...c.sizes]), dims: c.dims });
    for (const c of terms.costs) costs.push({ factor: squeezedCost(c), ordinal: c.ordinal, weight: 1 });
    for (const c of q.costs) costs.push({ factor: squeezedCost(c), ordinal: c.ordinal, weight: -1 });
    const contracted = contractTerms(terms, this.freePlans, logRing, label);
    contracted?.roots.forEach((data, i) => {
      const { plan } = contracted;
      costs.push({ factor: { data, dims: plan.slotDims[plan.roots[i]!]! }, ordinal: plan.rootOrdinals[i]!, weight: terms.scale });
    });
    // the expectation's weights: log q of every enumerated guide site, and of every sequential site at its fixed value
    const weights: { factor: Factor; ordinal: readonly Dim[] }[] = q.guideWeights.map((w) => ({ factor: squeezedCost(w), ordinal: w.ordinal }));
    const denominators = [...guideTrace.sampleSites()].flatMap((site) =>
      site.enumInfo?.kind === "sequential" ? [{ ordinal: ordinalOf(site), logTotal: Math.log(site.enumInfo.total) }] : []);
    const upstream = (of: readonly Dim[], cost: readonly Dim[]) => of.every((p) => cost.includes(p));
    let elbo: tf.Tensor = tf.scalar(0);
    for (const c of costs) {
      const ws = weights.filter((w) => upstream(w.ordinal, c.ordinal)).map((w) => w.factor);
      // a sequential site not upstream of the cost: the cost is counted once in each of its runs
      const logDenominator = denominators.filter((d) => !upstream(d.ordinal, c.ordinal)).reduce((s, d) => s + d.logTotal, 0);
      const target = c.factor.dims.filter((d) => ws.some((w) => w.dims.includes(d)));
      const logP = logMarginal(ws, target, sizes, label, this.marginalPlans);
      const expected = expectedCost(logDenominator === 0 ? logP : logP.sub(logDenominator), target, c.factor, sizes);
      // plates of the cost's ordinal that neither it nor its weights vary along: it counts once per member
      const constantAlong = c.ordinal.filter((p) => !c.factor.dims.includes(p) && !ws.some((w) => w.dims.includes(p)));
      const weight = constantAlong.reduce((m, p) => m * sizes.get(p)!, c.weight);
      elbo = elbo.add(weight === 1 ? expected : expected.mul(weight));
    }
    return elbo;
  }
}

/** Enumerated exactly (in parallel, or sequentially: one run per value), so not a score-function site. */
const isEnumerated = (site: SampleSite): boolean => site.enumInfo !== undefined;

/**
 * Pyro's restriction: a guide variable enumerated in a plate must sit in every
 * plate of every model-enumerated site, or the model's marginal would couple
 * all its members (exponential cost).
 */
function checkGuideEnumerationIsGlobalEnough(model: CollectedTerms, guide: CollectedTerms, guideTrace: Trace): void {
  if (model.factors.length === 0) return;
  const common = new Set(model.factors[0]!.ordinal);
  for (const f of model.factors) for (const p of [...common]) if (!f.ordinal.includes(p)) common.delete(p);
  // as Pyro's, the check is on parallel guide sites only (a sequential one has no enumeration dim)
  for (const w of guide.guideWeights) {
    if (guideTrace.sampleSite(w.site).enumInfo?.kind === "sequential") continue;
    const p = w.ordinal.find((d) => !common.has(d));
    if (p === undefined) continue;
    throw new PPLModelError(
      `expected model enumeration to be no more global than guide enumeration, but model-enumerated sites ` +
        `(${[...new Set(model.factorSites)].map((s) => `'${s}'`).join(", ")}) are upstream of guide site '${w.site}' in ${guide.label(p)}. ` +
        "Fix: enumerate those model sites in the guide too, or move them into the plate",
      { site: w.site, plate: guide.label(p) },
    );
  }
}
