/**
 * The shared shape of an autoguide: a callable guide (pass it to SVI as is)
 * that builds its prototype from the model on the first call.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type Model, type ModelGenerator, type ParamOwner, type PlateFrame, handle, plate } from "ppl-core";
import * as z from "zod/mini";
import { type InitLocFn } from "./init-strategies.js";
import { type PrototypeSite, runPrototype } from "./prototype.js";

/**
 * The `name` option every autoguide takes: the prefix of its params' names
 * (Pyro names an autoguide's params after the guide object). Two guides in
 * one process need different names unless they are guides of one model.
 */
export const nameOption = { name: z.optional(z.string().check(z.minLength(1))) };

let guideCount = 0;

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

  /**
   * @param model the model the guide covers
   * @param initLocFn where each latent site starts
   * @param name the prefix of the guide's param names (default: the class name)
   */
  constructor(model: Model<A>, initLocFn: InitLocFn, name?: string) {
    const guide = function* (...args: A): ModelGenerator<GuideValues> {
      const self = guide as unknown as AutoGuide<A>;
      // every param the guide uses is marked as its own: another guide using it is refused, naming both
      return yield* handle(self.body(self.setup(args), args), {
        process(msg) {
          if (msg.type === "param") msg.owner ??= owner;
        },
      });
    };
    const className = new.target.name;
    const serial = ++guideCount;
    const owner: ParamOwner = {
      get label() {
        return `${className}${name === undefined ? "" : ` '${name}'`} #${serial} (a guide of model '${model.name || "anonymous"}')`;
      },
    };
    Object.setPrototypeOf(guide, new.target.prototype);
    Object.defineProperty(guide, "model", { value: model });
    Object.defineProperty(guide, "initLocFn", { value: initLocFn });
    Object.defineProperty(guide, "prototypeSites", { value: undefined, writable: true });
    Object.defineProperty(guide, "guideName", { value: name });
    return guide as unknown as AutoGuide<A>;
  }

  /** Class name for messages (and the default prefix of param names: Pyro's `AutoDelta.locs.<site>`). */
  protected abstract readonly prefix: string;
  /** The `name` option, if given. */
  declare private readonly guideName: string | undefined;

  /** The name of the guide's param `part`: `<name or class name>.<part>`. */
  protected paramName(part: string): string {
    return `${this.guideName ?? this.prefix}.${part}`;
  }

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
