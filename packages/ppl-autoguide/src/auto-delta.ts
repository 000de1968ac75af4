/**
 * AutoDelta: a point estimate per latent site, i.e. MAP in constrained space.
 * One unconstrained param per site (`AutoDelta.locs.<site>`), mapped onto the
 * site's support; the guide samples each site as a Delta there.
 *
 * The params are kept through bijectTo (stick-breaking for a simplex), not the
 * param store's default transformTo, so AutoDelta's SVI trajectories are what
 * they were before user params moved to transformTo (docs/decisions.md).
 */
import * as tf from "@tensorflow/tfjs";
import { type Model, type ModelGenerator, dist, getParamStore, param, sample } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import { z } from "zod";
import { AutoGuide, type GuideValues, inPlates } from "./auto-guide.js";
import { type InitLocFn, initToMedian } from "./init-strategies.js";
import type { PrototypeSite } from "./prototype.js";

const options = z.object({
  initLocFn: z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor").optional(),
}).strict();

export type AutoDeltaOptions = z.input<typeof options>;

const BIJECT = { mapping: "bijectTo" } as const;

const locName = (site: PrototypeSite) => `AutoDelta.locs.${site.name}`;

export class AutoDelta<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoDelta";

  constructor(model: Model<A>, opts: AutoDeltaOptions = {}) {
    const o = parseOptions("AutoDelta", options, opts);
    super(model, o.initLocFn ?? initToMedian());
  }

  protected *body(sites: readonly PrototypeSite[]): ModelGenerator<GuideValues> {
    const values: GuideValues = {};
    for (const site of sites) {
      const name = locName(site);
      const init = () => tf.tensor(site.init, [...site.shape]);
      // created here, before its param message, so that the store keeps it through bijectTo
      if (!getParamStore().has(name)) getParamStore().get(name, init, site.support, BIJECT).dispose();
      values[site.name] = yield* inPlates(site.plates, function* () {
        const loc = yield* param(name, init, { constraint: site.support });
        return yield* sample(site.name, dist.Delta(loc, { eventDim: site.eventDim }));
      });
    }
    return values;
  }

  /** The point estimates in constrained space, by site name (tensors the caller owns). */
  median(...args: A): GuideValues {
    const sites = this.setup(args);
    const store = getParamStore();
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        out[site.name] = store.get(locName(site), () => tf.tensor(site.init, [...site.shape]), site.support, BIJECT);
      }
      return out;
    });
  }
}
