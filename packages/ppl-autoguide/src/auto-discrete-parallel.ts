/**
 * AutoDiscreteParallel: a mean-field guide over discrete latent sites, one
 * learned probability table per site (Pyro's param `AutoDiscreteParallel.<site>_probs`),
 * each site enumerated in parallel in the guide, so TraceEnumELBO takes the
 * guide's expectation exactly instead of sampling it.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, constraints, dist, nextSeed, param, sample } from "ppl-core";
import { parseOptions, runGenerator } from "ppl-core/internal";
import * as z from "zod/mini";
import { AutoGuide, type GuideValues, inPlates, nameOption } from "./auto-guide.js";
import { checkNumSamples, checkQuantiles } from "./checks.js";
import { initToSample } from "./init-strategies.js";
import { type PrototypeSite, runPrototype } from "./prototype.js";
import { refuseSubsampled } from "./subsample.js";

/**
 * A discrete guide for the sites a model would otherwise enumerate, e.g.
 * the assignments of a mixture, next to a continuous guide for the rest:
 *
 * ```ts
 * const guide = new AutoGuideList(model)
 *   .append(new AutoDiscreteParallel(block(model, { expose: ["z"] })))
 *   .append(new AutoNormal(block(model, { hide: ["z"] })));
 * const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
 * ```
 *
 * The model must be blocked to scalar discrete sites (Categorical, Bernoulli);
 * the tables start at the model's prior probabilities.
 */
export class AutoDiscreteParallel<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoDiscreteParallel";

  /**
   * @param model the model, blocked to the discrete sites this guide covers
   * @param opts `{ name }`: the prefix of its params' names (default `AutoDiscreteParallel`)
   */
  constructor(model: Model<A>, opts: { name?: string } = {}) {
    const o = parseOptions("AutoDiscreteParallel", z.strictObject(nameOption), opts);
    super(model, initToSample, o.name);
  }

  protected override setup(args: A): readonly PrototypeSite[] {
    if (this.prototypeSites === undefined) {
      const sites = runPrototype(this.prefix, this.model, this.initLocFn, args, { discrete: true });
      refuseSubsampled(this.prefix, sites);
      this.prototypeSites = sites;
    }
    return this.prototypeSites;
  }

  private *probsOf(site: PrototypeSite): ModelGenerator<tf.Tensor> {
    const d = site.discrete!;
    const batch = site.shape;
    if (d.boolean) {
      // a Bernoulli site keeps the probability of 1, Pyro's Bernoulli `probs`
      return yield* param(this.paramName(`${site.name}_probs`), () => tf.tensor(d.probs, [...batch, 2]).slice(
        [...batch.map(() => 0), 1], [...batch, 1]).reshape([...batch]), { constraint: constraints.unitInterval });
    }
    return yield* param(this.paramName(`${site.name}_probs`), () => tf.tensor(d.probs, [...batch, d.size]), { constraint: constraints.simplex });
  }

  /** The table [...batch, K] of every site (Bernoulli's probability of 1 expanded to [p0, p1]). */
  private tables(args: A): { site: PrototypeSite; table: tf.Tensor }[] {
    return this.setup(args).map((site) => {
      const p = runGenerator(this.probsOf(site));
      return { site, table: site.discrete!.boolean ? tf.stack([tf.sub(1, p), p], -1) : p };
    });
  }

  protected *body(sites: readonly PrototypeSite[]): ModelGenerator<GuideValues> {
    const values: GuideValues = {};
    for (const site of sites) {
      const probs = yield* this.probsOf(site);
      const fn = site.discrete!.boolean ? dist.Bernoulli(probs) : dist.Categorical(probs);
      values[site.name] = yield* inPlates(site.plates, function* () {
        return yield* sample(site.name, fn, { infer: { enumerate: "parallel" } });
      });
    }
    return values;
  }

  /**
   * Each site's median: the smallest support value whose cumulative probability reaches 1/2.
   * @param args the model's arguments (used only before the guide's first run)
   */
  median(...args: A): GuideValues {
    return this.quantileValues([0.5], args, false);
  }

  /**
   * Each site's quantiles: for each q, the smallest support value whose cumulative probability reaches q.
   * @param qs probabilities in (0, 1)
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[qs.length, ...site shape]` per site
   */
  quantiles(qs: readonly number[], ...args: A): GuideValues {
    checkQuantiles(this.prefix, qs);
    return this.quantileValues(qs, args, true);
  }

  /**
   * Independent draws of every site from its table.
   * @param numSamples how many draws
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[numSamples, ...site shape]` per site
   */
  sample(numSamples: number, ...args: A): GuideValues {
    checkNumSamples(this.prefix, numSamples, this.setup(args));
    return tf.tidy(() => Object.fromEntries(this.tables(args).map(({ site, table }) =>
      [site.name, dist.Categorical(table).sample([numSamples], nextSeed(`${this.prefix}.sample`))])));
  }

  private quantileValues(qs: readonly number[], args: A, stacked: boolean): GuideValues {
    return tf.tidy(() => Object.fromEntries(this.tables(args).map(({ site, table }) => {
      const K = table.shape[table.rank - 1]!;
      const p = table.dataSync();
      const n = p.length / K;
      const out = new Int32Array(qs.length * n);
      qs.forEach((q, j) => {
        for (let i = 0; i < n; i++) {
          let cdf = 0;
          let k = 0;
          // a little slack so float32 tables that sum to 1 - 1e-7 still reach q = 1/2 exactly at the boundary
          while (k < K - 1 && (cdf += p[i * K + k]!) < q - 1e-6) k++;
          out[j * n + i] = k;
        }
      });
      return [site.name, tf.tensor(out, stacked ? [qs.length, ...site.shape] : [...site.shape], "int32")];
    })));
  }
}
