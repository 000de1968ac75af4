/**
 * The prototype run every autoguide starts from: the model run once, outside
 * every outer handler, with latent sites set by the init strategy. Only plain
 * data is kept (no tensors), so a prototype outlives the step that made it.
 */
import * as tf from "@tensorflow/tfjs";
import { type Constraint, type Model, type PlateFrame, PPLModelError, block, trace, withHandler } from "ppl-core";
import { isVectorizedFrame } from "ppl-core/internal";
import type { InitLocFn } from "./init-strategies.js";

export interface PrototypeSite {
  readonly name: string;
  /** Constrained support of the site. */
  readonly support: Constraint;
  /** Full value shape (batch ++ event) and the event rank. */
  readonly shape: readonly number[];
  readonly eventDim: number;
  /** Enclosing plates, outermost first, to re-enter in the guide. */
  readonly plates: readonly PlateFrame[];
  /** The init value (constrained) as plain numbers. */
  readonly init: Float32Array;
}

function withInit<A extends unknown[], R>(model: Model<A, R>, initLocFn: InitLocFn): Model<A, R> {
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved || msg.value !== undefined || msg.role !== "sample") return;
      msg.value = initLocFn(msg);
      msg.done = true;
    },
  }));
}

export function runPrototype<A extends unknown[]>(
  guideName: string,
  model: Model<A>,
  initLocFn: InitLocFn,
  args: A,
): PrototypeSite[] {
  const sites: PrototypeSite[] = [];
  // tidy disposes every tensor of the run; only plain data leaves it
  tf.tidy(() => {
    const hideNonLatent = block(withInit(model, initLocFn), {
      hideFn: (msg) => msg.type !== "sample" || msg.isObserved || msg.role !== "sample",
    });
    const tr = trace(hideNonLatent).getTrace(...args);
    for (const site of tr.latentSites()) {
      if (site.fn.support.isDiscrete) {
        throw new PPLModelError(
          `${guideName}: continuous inference cannot handle discrete sample site '${site.name}'. Enumerate it ` +
            `({ infer: { enumerate: "parallel" } } with TraceEnumELBO) and hide it from the guide, e.g. ` +
            `new ${guideName}(block(model, { hide: ["${site.name}"] })) or block(model, { expose: [...continuous sites] })`,
          { site: site.name },
        );
      }
      if (site.condIndepStack.some((f) => f.subsampleSize < f.size)) {
        throw new PPLModelError(`${guideName}: site '${site.name}' is in a subsampled plate, which autoguides do not support yet`, {
          site: site.name,
        });
      }
      sites.push({
        name: site.name,
        support: site.fn.support,
        shape: [...site.value.shape],
        eventDim: site.fn.eventShape.length,
        // a sequential plate's iterations are separate sites with no batch dim: the guide needs no plate for them
        plates: site.condIndepStack.filter(isVectorizedFrame).reverse(),
        init: Float32Array.from(site.value.dataSync()),
      });
    }
  });
  // no latent sites (a model whose only learnables are params): an empty guide, silently, as in Pyro
  return sites;
}
