/**
 * AutoDelta: a point estimate per latent site, i.e. MAP in constrained space.
 * One unconstrained param per site (`AutoDelta.locs.<site>`), mapped onto the
 * site's support; the guide samples each site as a Delta there.
 *
 * The params are kept through bijectTo (stick-breaking for a simplex), not the
 * param store's default transformTo, so AutoDelta's SVI trajectories are what
 * they were before user params moved to transformTo (docs/decisions.md).
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, bijectTo, constraints, dist, getParamStore, param, sample } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import * as z from "zod/mini";
import { AutoGuide, type GuideValues, nameOption } from "./auto-guide.js";
import { checkNumSamples, checkQuantiles } from "./checks.js";
import { currentSupport } from "./current-support.js";
import { type InitLocFn, initToMedian } from "./init-strategies.js";
import type { PrototypeSite } from "./prototype.js";
import { fullSizeInit, inPlateTree, selectRows } from "./subsample.js";

const options = z.strictObject({
  initLocFn: z.optional(z.custom<InitLocFn>((f) => typeof f === "function", "a function (site) => tensor")),
  ...nameOption,
});

/** Options of {@link AutoDelta}: the init strategy (default `initToMedian`) and the `name` its params start with (default `AutoDelta`). */
export type AutoDeltaOptions = z.input<typeof options>;

const BIJECT = { mapping: "bijectTo" } as const;

/**
 * A MAP guide: a point estimate per latent site (Pyro's `AutoDelta`).
 *
 * ```ts
 * const guide = new AutoDelta(block(model, { expose: ["locs", "scales"] }), { initLocFn: initToSample });
 * ```
 */
export class AutoDelta<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoDelta";

  /**
   * @param model the model (block it to the sites this guide should cover)
   * @param opts {@link AutoDeltaOptions}
   */
  constructor(model: Model<A>, opts: AutoDeltaOptions = {}) {
    const o = parseOptions("AutoDelta", options, opts);
    super(model, o.initLocFn ?? initToMedian(), o.name);
  }

  private locName(site: PrototypeSite): string {
    return this.paramName(`locs.${site.name}`);
  }

  protected *body(sites: readonly PrototypeSite[], args: A): ModelGenerator<GuideValues> {
    const self = this;
    return yield* inPlateTree(sites, function* (site, indices, values) {
      const name = self.locName(site);
      if (site.support.holdsTensors) {
        // the support moves with other sites (Uniform(0, a)): the param store cannot keep it through one transform, so
        // the param is the unconstrained point, mapped onto this run's support
        const support = currentSupport(self.prefix, self.model, site, values, args);
        const x = yield* param(name, () => tf.tidy(() => bijectTo(support).inverse(fullSizeInit(site))), { constraint: constraints.real });
        return yield* sample(site.name, dist.Delta(bijectTo(support).forward(selectRows(x, site, indices)), { eventDim: site.eventDim }));
      }
      const init = () => fullSizeInit(site);
      // created here, before its param message, so that the store keeps it through bijectTo
      if (!getParamStore().has(name)) getParamStore().get(name, init, site.support, BIJECT).dispose();
      const loc = yield* param(name, init, { constraint: site.support });
      // in a subsampled plate the param holds every member; this run's members are its rows
      return yield* sample(site.name, dist.Delta(selectRows(loc, site, indices), { eventDim: site.eventDim }));
    });
  }

  /**
   * The point estimates as quantiles: every quantile of a point mass is the point.
   * @param qs probabilities in (0, 1)
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[qs.length, ...site shape]` per site
   */
  quantiles(qs: readonly number[], ...args: A): GuideValues {
    checkQuantiles(this.prefix, qs);
    return this.repeated(qs.length, args);
  }

  /**
   * Draws from the point masses: `numSamples` copies of the point estimates.
   * @param numSamples how many draws
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[numSamples, ...site shape]` per site
   */
  sample(numSamples: number, ...args: A): GuideValues {
    checkNumSamples(this.prefix, numSamples, this.setup(args));
    return this.repeated(numSamples, args);
  }

  private repeated(n: number, args: A): GuideValues {
    const median = this.median(...args);
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const [name, v] of Object.entries(median)) out[name] = tf.stack(new Array<tf.Tensor>(n).fill(v));
      tf.dispose(Object.values(median));
      return out;
    });
  }

  /** The point estimates in constrained space, by site name (tensors the caller owns). */
  median(...args: A): GuideValues {
    const sites = this.setup(args);
    const store = getParamStore();
    return tf.tidy(() => {
      const out: GuideValues = {};
      for (const site of sites) {
        if (site.support.holdsTensors) {
          // the unconstrained point through the support that the medians before it give
          const support = currentSupport(this.prefix, this.model, site, out, args);
          const x = store.get(this.locName(site), () => bijectTo(support).inverse(fullSizeInit(site)), constraints.real);
          out[site.name] = bijectTo(support).forward(x);
          continue;
        }
        out[site.name] = store.get(this.locName(site), () => fullSizeInit(site), site.support, BIJECT);
      }
      return out;
    });
  }
}
