/**
 * AutoNormal: a mean-field Normal posterior for every latent site, in
 * unconstrained space (`AutoNormal.locs.<site>`, `AutoNormal.scales.<site>`),
 * mapped onto each site's support.
 */
import * as tf from "@tensorflow/tfjs";
import { type Model, type ModelGenerator, bijectTo, constraints, getParamStore, param, sample } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import { z } from "zod";
import { AutoGuide, type GuideValues, inPlates } from "./auto-guide.js";
import { type InitLocFn, initToFeasible } from "./init-strategies.js";
import type { PrototypeSite } from "./prototype.js";
import { UnconstrainedNormal } from "./unconstrained-normal.js";

const options = z.object({
  initLocFn: z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor").optional(),
  initScale: z.number().positive().finite().default(0.1),
}).strict();

export type AutoNormalOptions = z.input<typeof options>;

export class AutoNormal<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoNormal";
  declare readonly initScale: number;

  constructor(model: Model<A>, opts: AutoNormalOptions = {}) {
    const o = parseOptions("AutoNormal", options, opts);
    super(model, o.initLocFn ?? initToFeasible());
    Object.defineProperty(this, "initScale", { value: o.initScale });
  }

  private unconstrainedInit(site: PrototypeSite): tf.Tensor {
    return tf.tidy(() => bijectTo(site.support).inverse(tf.tensor(site.init, [...site.shape])));
  }

  protected *body(sites: readonly PrototypeSite[]): ModelGenerator<GuideValues> {
    const values: GuideValues = {};
    for (const site of sites) {
      values[site.name] = yield* inPlates(site.plates, () => this.siteBody(site));
    }
    return values;
  }

  private *siteBody(site: PrototypeSite): ModelGenerator<tf.Tensor> {
    const loc = yield* param(`AutoNormal.locs.${site.name}`, () => this.unconstrainedInit(site));
    const scale = yield* param(
      `AutoNormal.scales.${site.name}`,
      () => tf.tidy(() => tf.fill(bijectTo(site.support).inverseShape(site.shape), this.initScale)),
      { constraint: constraints.positive },
    );
    return yield* sample(site.name, new UnconstrainedNormal(loc, scale, site.support, site.eventDim));
  }

  /** The posterior medians in constrained space (the transformed locs), by site name. */
  median(...args: A): GuideValues {
    const sites = this.setup(args);
    const store = getParamStore();
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        out[site.name] = bijectTo(site.support).forward(store.get(`AutoNormal.locs.${site.name}`, () => this.unconstrainedInit(site)));
      }
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
        out[site.name] = store.get(`AutoNormal.scales.${site.name}`, () => tf.fill(bijectTo(site.support).inverseShape(site.shape), this.initScale), constraints.positive);
      }
      return out;
    });
  }
}
