/**
 * AutoGuideList: several guides, each over its own sites, run as one guide
 * (Pyro's `AutoGuideList`), e.g. AutoDelta for some sites and a Normal family
 * for the others, each built on `block(model, { expose | hide })`.
 */
import type { Model, ModelGenerator } from "ppl-core";
import { PPLModelError } from "ppl-core";
import { AutoGuide, type GuideValues } from "./auto-guide.js";
import { initToFeasible } from "./init-strategies.js";
import type { PrototypeSite } from "./prototype.js";

/**
 * A guide made of parts; each part covers the sites its blocked model exposes.
 *
 * ```ts
 * const guide = new AutoGuideList(model)
 *   .append(new AutoDelta(block(model, { expose: ["scale"] })))
 *   .append(new AutoMultivariateNormal(block(model, { hide: ["scale"] })));
 * ```
 */
export class AutoGuideList<A extends unknown[]> extends AutoGuide<A> {
  protected readonly prefix = "AutoGuideList";
  /** The parts, in the order they run. */
  declare readonly parts: AutoGuide<A>[];

  /** @param model the full model (kept for reference; each part has its own blocked model) */
  constructor(model: Model<A>) {
    super(model, initToFeasible);
    Object.defineProperty(this, "parts", { value: [] });
  }

  /**
   * Add a part; returns this list, so appends chain.
   * @param part a guide over sites no earlier part covers
   */
  append(part: AutoGuide<A>): this {
    this.parts.push(part);
    return this;
  }

  /** The list has no prototype of its own: each part builds its own; a site covered twice is an error. */
  protected override setup(args: A): readonly PrototypeSite[] {
    if (this.prototypeSites !== undefined) return this.prototypeSites;
    const owner = new Map<string, string>();
    for (const part of this.parts) {
      tfDisposeAll(part.median(...args));
      for (const name of part.siteNames) {
        const other = owner.get(name);
        if (other !== undefined) {
          throw new PPLModelError(
            `AutoGuideList: site '${name}' is covered by two parts (${other} and ${part.constructor.name}). ` +
              "Fix: block each part's model so the parts' sites are disjoint, e.g. expose: [...] for one and hide: [...] for the other",
            { site: name },
          );
        }
        owner.set(name, part.constructor.name);
      }
    }
    refuseSharedSubsample(this.parts);
    this.prototypeSites = [];
    return this.prototypeSites;
  }

  protected *body(_sites: readonly PrototypeSite[], args: A): ModelGenerator<GuideValues> {
    const values: GuideValues = {};
    for (const part of this.parts) Object.assign(values, yield* part(...args));
    return values;
  }

  /** Every part's subsampled plates. */
  override get subsampledPlates(): string[] {
    return [...new Set(this.parts.flatMap((p) => p.subsampledPlates))];
  }

  /** Every part's sites, in order. */
  override get siteNames(): string[] {
    return this.parts.flatMap((p) => p.siteNames);
  }

  /** Every part's medians, merged. @param args the model's arguments */
  median(...args: A): GuideValues {
    this.setup(args);
    return Object.assign({}, ...this.parts.map((p) => p.median(...args))) as GuideValues;
  }

  /**
   * Every part's quantiles, merged.
   * @param qs probabilities in (0, 1)
   * @param args the model's arguments
   */
  quantiles(qs: readonly number[], ...args: A): GuideValues {
    this.setup(args);
    return Object.assign({}, ...this.parts.map((p) => p.quantiles(qs, ...args))) as GuideValues;
  }

  /**
   * Every part's draws, merged (independent across parts, as the guide is).
   * @param numSamples how many draws
   * @param args the model's arguments
   */
  sample(numSamples: number, ...args: A): GuideValues {
    this.setup(args);
    return Object.assign({}, ...this.parts.map((p) => p.sample(numSamples, ...args))) as GuideValues;
  }
}

function tfDisposeAll(values: GuideValues): void {
  for (const t of Object.values(values)) t.dispose();
}

/** Each part opens its subsampled plates, drawing their indices: two parts in one plate would draw two subsamples. */
function refuseSharedSubsample<A extends unknown[]>(parts: readonly AutoGuide<A>[]): void {
  const opener = new Map<string, string>();
  for (const part of parts) {
    for (const plateName of part.subsampledPlates) {
      const other = opener.get(plateName);
      if (other !== undefined) {
        throw new PPLModelError(
          `AutoGuideList: two parts (${other} and ${part.constructor.name}) cover sites in the subsampled plate '${plateName}'; ` +
            "each part would draw its own subsample of it, but the model has one.\n" +
            `Fix: give one part all the latent sites inside plate '${plateName}' (block(model, { expose: [...] }))`,
          { plate: plateName },
        );
      }
      opener.set(plateName, part.constructor.name);
    }
  }
}
