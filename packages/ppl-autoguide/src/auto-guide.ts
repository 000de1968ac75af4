/**
 * The shared shape of an autoguide: a callable guide (pass it to SVI as is)
 * that builds its prototype from the model on the first call.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, type PlateFrame, plate } from "ppl-core";
import { type InitLocFn } from "./init-strategies.js";
import { type PrototypeSite, runPrototype } from "./prototype.js";

/** Values by site name (what a guide returns, and its `median`, `quantiles` and `sample`). */
export type GuideValues = Record<string, tf.Tensor>;

// A guide instance is also its generator function, so SVI takes it directly.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface AutoGuide<A extends unknown[]> {
  (...args: A): ModelGenerator<GuideValues>;
}

/**
 * The base of every autoguide: a guide (a generator function, passed to SVI
 * as is) that builds its prototype from the model on its first call, with
 * `median`, `quantiles` and `sample` in constrained space.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AutoGuide<A extends unknown[]> {
  /** The model the guide was built from (usually blocked to the sites it covers). */
  declare readonly model: Model<A>;
  /** Where each latent site starts (an init strategy). */
  declare readonly initLocFn: InitLocFn;
  /** The latent sites found by the prototype run (undefined before the first call). */
  declare protected prototypeSites: PrototypeSite[] | undefined;

  constructor(model: Model<A>, initLocFn: InitLocFn) {
    const guide = function* (...args: A): ModelGenerator<GuideValues> {
      const self = guide as unknown as AutoGuide<A>;
      return yield* self.body(self.setup(args), args);
    };
    Object.setPrototypeOf(guide, new.target.prototype);
    Object.defineProperty(guide, "model", { value: model });
    Object.defineProperty(guide, "initLocFn", { value: initLocFn });
    Object.defineProperty(guide, "prototypeSites", { value: undefined, writable: true });
    return guide as unknown as AutoGuide<A>;
  }

  /** Class name for messages and param prefixes (Pyro's `AutoDelta.locs.<site>`). */
  protected abstract readonly prefix: string;

  /** The guide's sites for one run, given the prototype. */
  protected abstract body(sites: readonly PrototypeSite[], args: A): ModelGenerator<GuideValues>;

  /** Run the prototype once; later calls reuse it. */
  protected setup(args: A): readonly PrototypeSite[] {
    this.prototypeSites ??= runPrototype(this.prefix, this.model, this.initLocFn, args);
    return this.prototypeSites;
  }

  /**
   * The posterior median of each latent site, in constrained space.
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor per site, of the site's shape; the caller owns them
   */
  abstract median(...args: A): GuideValues;

  /**
   * Marginal quantiles of each latent site, in constrained space.
   * @param qs probabilities strictly between 0 and 1, e.g. `[0.05, 0.5, 0.95]`
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[qs.length, ...site shape]` per site
   */
  abstract quantiles(qs: readonly number[], ...args: A): GuideValues;

  /**
   * Draws from the guide, in constrained space (joint across sites where the guide is).
   * @param numSamples how many draws
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[numSamples, ...site shape]` per site, e.g. for `Predictive`'s `posteriorSamples`
   */
  abstract sample(numSamples: number, ...args: A): GuideValues;

  /** Names of the latent sites this guide covers (after the first call or `median`). */
  get siteNames(): string[] {
    return (this.prototypeSites ?? []).map((s) => s.name);
  }

  /** Names of the subsampled plates this guide opens, drawing their indices (after the first call or `median`). */
  get subsampledPlates(): string[] {
    const names = (this.prototypeSites ?? []).flatMap((s) => s.plates.filter((f) => f.subsampleSize < f.size).map((f) => f.name));
    return [...new Set(names)];
  }
}

/** Run `body` inside the site's plates again, so its batch dims line up with the model's. */
export function* inPlates<R>(plates: readonly PlateFrame[], body: () => ModelGenerator<R>): ModelGenerator<R> {
  if (plates.length === 0) return yield* body();
  const [outer, ...rest] = plates;
  return yield* plate(outer!.name, outer!.size, { dim: outer!.dim }, () => inPlates(rest, body));
}
