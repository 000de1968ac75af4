/**
 * AutoNormal: a mean-field Normal posterior for every latent site, in
 * unconstrained space (`AutoNormal.locs.<site>`, `AutoNormal.scales.<site>`),
 * mapped onto each site's support.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, type Model, type ModelGenerator, bijectTo, constraints, getParamStore, nextSeed, param, sample } from "ppl-core";
import { checkNumSamples, checkQuantiles } from "./checks.js";
import { currentSupport, refuseDependentSupports } from "./current-support.js";
import { ndtriNumber, parseOptions } from "ppl-core/internal";
import * as z from "zod/mini";
import { AutoGuide, type GuideValues, nameOption } from "./auto-guide.js";
import { type InitLocFn, initToFeasible } from "./init-strategies.js";
import type { PrototypeSite } from "./prototype.js";
import { type PlateIndices, fullShape, fullSizeInit, inPlateTree, selectRows } from "./subsample.js";
import { UnconstrainedNormal } from "./unconstrained-normal.js";

const options = z.strictObject({
  initLocFn: z.optional(z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor")),
  initScale: z._default(z.number().check(z.positive()), 0.1),
  ...nameOption,
});

/**
 * Options of {@link AutoNormal}: the init strategy (default `initToFeasible`), the initial scale (default 0.1)
 * and the `name` its params start with (default `AutoNormal`).
 */
export type AutoNormalOptions = z.input<typeof options>;

/**
 * A mean-field Normal guide, one (loc, scale) pair per latent site in
 * unconstrained space (Pyro's `AutoNormal`).
 *
 * ```ts
 * const guide = new AutoNormal(model, { initScale: 0.05 });
 * ```
 */
export class AutoNormal<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoNormal";
  /** The initial scale of every unconstrained coordinate. */
  declare readonly initScale: number;

  /**
   * @param model the model (block it to the sites this guide should cover)
   * @param opts {@link AutoNormalOptions}
   */
  constructor(model: Model<A>, opts: AutoNormalOptions = {}) {
    const o = parseOptions("AutoNormal", options, opts);
    super(model, o.initLocFn ?? initToFeasible(), o.name);
    Object.defineProperty(this, "initScale", { value: o.initScale });
  }

  /**
   * The unconstrained init at the params' shape (a subsampled plate's full size), through the site's support at
   * the prototype's values, as Pyro maps the prototype trace's value: a support that moves with another latent
   * (Uniform(0, a)) is read with `a` at its own init, not at whatever the run that first needs the param drew
   * (an init outside that draw's support would be clamped to its edge).
   */
  private unconstrainedInit(site: PrototypeSite, sites: readonly PrototypeSite[], args: A): tf.Tensor {
    return tf.tidy(() => {
      const inits = Object.fromEntries(sites.map((s) => [s.name, tf.tensor(s.init, [...s.shape])]));
      const support = currentSupport(this.prefix, this.model, site, inits, args);
      return bijectTo(support).inverse(fullSizeInit(site));
    });
  }

  private initScales(site: PrototypeSite): tf.Tensor {
    return tf.fill(bijectTo(site.support).inverseShape(fullShape(site)), this.initScale);
  }

  protected *body(sites: readonly PrototypeSite[], args: A): ModelGenerator<GuideValues> {
    // the support is read each run: one with tensor bounds (Uniform(0, a)) follows this run's values of the sites before it
    return yield* inPlateTree(sites, (site, indices, values) =>
      this.siteBody(site, indices, currentSupport(this.prefix, this.model, site, values, args), sites, args));
  }

  private *siteBody(
    site: PrototypeSite, indices: PlateIndices, support: Constraint, sites: readonly PrototypeSite[], args: A,
  ): ModelGenerator<tf.Tensor> {
    const loc = yield* param(this.paramName(`locs.${site.name}`), () => this.unconstrainedInit(site, sites, args));
    const scale = yield* param(this.paramName(`scales.${site.name}`), () => this.initScales(site), { constraint: constraints.positive });
    // in a subsampled plate the params hold every member; this run's members are their rows
    const fn = new UnconstrainedNormal(selectRows(loc, site, indices), selectRows(scale, site, indices), support, site.eventDim);
    return yield* sample(site.name, fn);
  }

  /** The posterior medians in constrained space (the transformed locs), by site name. */
  median(...args: A): GuideValues {
    const sites = this.setup(args);
    const store = getParamStore();
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        const support = currentSupport(this.prefix, this.model, site, out, args);
        out[site.name] = bijectTo(support).forward(store.get(this.paramName(`locs.${site.name}`), () => this.unconstrainedInit(site, sites, args)));
      }
      return out;
    });
  }

  /**
   * Marginal quantiles of each site in constrained space: the unconstrained
   * Normal's quantile pushed through the site's transform (Pyro's `quantiles`).
   * @param qs probabilities in (0, 1)
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[qs.length, ...site shape]` per site
   */
  quantiles(qs: readonly number[], ...args: A): GuideValues {
    checkQuantiles(this.prefix, qs);
    return this.pushed(args, (loc, scale) => {
      const z = tf.tensor1d(qs.map(ndtriNumber)).reshape([qs.length, ...loc.shape.map(() => 1)]);
      return loc.expandDims(0).add(z.mul(scale.expandDims(0)));
    });
  }

  /**
   * Independent draws of every site from the guide, in constrained space.
   * @param numSamples how many draws
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[numSamples, ...site shape]` per site
   */
  sample(numSamples: number, ...args: A): GuideValues {
    checkNumSamples(this.prefix, numSamples, this.setup(args));
    return this.pushed(args, (loc, scale) =>
      tf.randomNormal([numSamples, ...loc.shape], 0, 1, "float32", nextSeed(`${this.prefix}.sample`)).mul(scale).add(loc));
  }

  /** f(loc, scale) per site in unconstrained space, pushed onto the site's support. */
  private pushed(args: A, f: (loc: tf.Tensor, scale: tf.Tensor) => tf.Tensor): GuideValues {
    const sites = this.setup(args);
    refuseDependentSupports(this.prefix, sites);
    const locs = this.median(...args);
    const scales = this.scales(...args);
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        const t = bijectTo(site.support);
        out[site.name] = t.forward(f(t.inverse(locs[site.name]!), scales[site.name]!));
      }
      tf.dispose([...Object.values(locs), ...Object.values(scales)]);
      return out;
    });
  }

  /** Posterior scales in unconstrained space, by site name. */
  scales(...args: A): GuideValues {
    const sites = this.setup(args);
    const store = getParamStore();
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        out[site.name] = store.get(this.paramName(`scales.${site.name}`), () => this.initScales(site), constraints.positive);
      }
      return out;
    });
  }
}
