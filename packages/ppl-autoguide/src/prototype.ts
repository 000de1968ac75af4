/**
 * The prototype run every autoguide starts from: the model run once, outside
 * every outer handler, with latent sites set by the init strategy. Only plain
 * data is kept (no tensors), so a prototype outlives the step that made it.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, type Model, type PlateFrame, PPLModelError, type SampleSite, block, trace } from "ppl-core";
import { isVectorizedFrame, stopRecording, withNamesChecked } from "ppl-core/internal";
import type { InitLocFn } from "./init-strategies.js";

/** What a guide keeps of one latent site from the prototype run (plain data, no tensors). */
export interface PrototypeSite {
  /** The site's name. */
  readonly name: string;
  /** Constrained support of the site. */
  readonly support: Constraint;
  /** Full value shape (batch ++ event) and the event rank. */
  readonly shape: readonly number[];
  /** How many rightmost dims of `shape` are the event. */
  readonly eventDim: number;
  /** Enclosing vectorised plates, outermost first, to re-enter in the guide (`subsampleSize < size` when subsampled). */
  readonly plates: readonly PlateFrame[];
  /** The init value (constrained) as plain numbers. */
  readonly init: Float32Array;
  /**
   * Discrete sites only (`runPrototype(..., { discrete: true })`): the prior
   * probabilities of the support values 0..K-1, `[...batch, K]`, and whether
   * the support is boolean (a Bernoulli site).
   */
  readonly discrete?: {
    /** The prior probabilities, `[...batch, size]` flattened. */
    readonly probs: Float32Array;
    /** The support size K. */
    readonly size: number;
    /** Whether the support is boolean (a Bernoulli site). */
    readonly boolean: boolean;
  };
}

/** Which latent sites a guide covers: continuous ones (every guide but AutoDiscreteParallel) or discrete ones. */
export interface PrototypeOptions {
  /** Collect the discrete latent sites (and refuse continuous ones) instead of the continuous ones. */
  readonly discrete?: boolean;
}

/**
 * The model with its latent sites at `initLocFn`'s values. The names the
 * strategy has values for must be sample sites of the model: the run sees
 * every site, those a block hides from this guide included, so values shared
 * by the guides of one model pass and a misspelt name is refused.
 */
function withInit<A extends unknown[], R>(guideName: string, model: Model<A, R>, initLocFn: InitLocFn): Model<A, R> {
  return withNamesChecked(model, () => initLocFn.siteNames ?? [], {
    who: `${guideName}: initToValue`, kind: "sample", hiddenOk: true,
    otherKindFix: "initToValue sets where sample sites start; a param starts at the init given to param(...)",
  }, (msg) => {
    if (msg.type !== "sample" || msg.isObserved || msg.value !== undefined || msg.role !== "sample") return;
    // a discrete site keeps a draw of its own (integer) support: an init strategy's median or mean is a
    // float the model cannot index with, and the site is refused (or tabulated) after the run anyway
    if (msg.fn.support.isDiscrete) return;
    msg.value = initLocFn(msg);
    msg.done = true;
  });
}

/**
 * Run `model` once with its latent sites at `initLocFn`'s values and return
 * the latent sites a guide covers (continuous by default, discrete with `options.discrete`).
 */
export function runPrototype<A extends unknown[]>(
  guideName: string,
  model: Model<A>,
  initLocFn: InitLocFn,
  args: A,
  options: PrototypeOptions = {},
): PrototypeSite[] {
  const sites: PrototypeSite[] = [];
  // a compiled loss's call that runs the prototype keeps no program (the guide creates its params from it, and the
  // init values are read in JS): its recording ends here, and the prototype runs unrecorded
  stopRecording("an autoguide's first call (its prototype run, and the params the guide makes from it)");
  // tidy disposes every tensor of the run; only plain data leaves it
  tf.tidy(() => {
    const hideNonLatent = block(withInit(guideName, model, initLocFn), {
      hideFn: (msg) => msg.type !== "sample" || msg.isObserved || msg.role !== "sample",
    });
    const tr = trace(hideNonLatent).getTrace(...args);
    for (const site of tr.latentSites()) {
      if (options.discrete === true) {
        sites.push(discreteSite(guideName, site));
        continue;
      }
      if (site.fn.support.isDiscrete) {
        throw new PPLModelError(
          `${guideName}: continuous inference cannot handle discrete sample site '${site.name}'. Enumerate it ` +
            `({ infer: { enumerate: "parallel" } } with TraceEnumELBO) and hide it from the guide, e.g. ` +
            `new ${guideName}(block(model, { hide: ["${site.name}"] })) or block(model, { expose: [...continuous sites] })`,
          { site: site.name },
        );
      }
      const sequential = site.condIndepStack.find((f) => !isVectorizedFrame(f) && f.subsampleSize < f.size);
      if (sequential !== undefined) {
        // each step visits other members, so the site names the prototype saw are not the next step's
        throw new PPLModelError(
          `${guideName}: site '${site.name}' is in sequential plate '${sequential.name}', subsampled, whose members are ` +
            "separate sites that change from step to step; autoguides cover subsampled vectorised plates only.\n" +
            "Fix: make the plate vectorised (drop sequential: true), or write the guide of these sites by hand (docs/subsampling.md)",
          { site: site.name, plate: sequential.name, expected: "a vectorised plate", actual: "a subsampled sequential plate" },
        );
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

/** A discrete site's prototype: its prior probabilities over the support, read off its log-density there. */
function discreteSite(guideName: string, site: SampleSite): PrototypeSite {
  if (!site.fn.support.isDiscrete || site.fn.eventShape.length > 0) {
    throw new PPLModelError(
      `${guideName}: site '${site.name}' is ${site.fn.support.isDiscrete ? "discrete with an event shape" : "continuous"}, ` +
        `but ${guideName} covers scalar discrete sites only (Categorical, Bernoulli). Fix: give ${guideName} ` +
        `block(model, { expose: [...discrete sites] }) and another guide the rest (AutoGuideList)`,
      { site: site.name, expected: "a discrete site with no event shape", actual: site.fn.name },
    );
  }
  const support = site.fn.enumerateSupport(true); // [K, ...batch]
  const K = support.shape[0]!;
  const values = Array.from(support.reshape([K, -1]).slice([0, 0], [K, 1]).dataSync());
  if (values.some((v, k) => v !== k)) {
    throw new PPLModelError(`${guideName}: site '${site.name}' must have the support 0..K-1 (got ${values.join(", ")})`, {
      site: site.name, expected: "support 0..K-1", actual: values.join(", "),
    });
  }
  const probs = site.fn.logProb(support).exp(); // [K, ...batch]
  const perm = [...Array.from({ length: probs.rank - 1 }, (_, i) => i + 1), 0];
  return {
    name: site.name,
    support: site.fn.support,
    shape: [...site.value.shape],
    eventDim: 0,
    plates: site.condIndepStack.filter(isVectorizedFrame).reverse(),
    init: Float32Array.from(site.value.dataSync()),
    discrete: { probs: Float32Array.from(probs.transpose(perm).dataSync()), size: K, boolean: site.fn.support.name === "boolean" },
  };
}
