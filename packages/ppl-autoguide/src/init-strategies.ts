/**
 * Init strategies: where an autoguide starts each latent site, in
 * constrained space. Each is a function of the site (with its distribution
 * already broadcast over its plates); called with options instead, it returns
 * such a function (as Pyro's `init_to_median(num_samples=...)` does).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLModelError, bijectTo, nextSeed, type SampleMsg, type TensorLike } from "ppl-core";
import { checkTensorElements, parseOptions, tensorArg } from "ppl-core/internal";
import * as z from "zod/mini";

/** What an init strategy sees of a site: its name, its distribution (broadcast over its plates) and its seed. */
export type InitSite = Pick<SampleMsg, "name" | "fn" | "seed">;
/**
 * An init strategy: the constrained starting value of a site, of the site's
 * full shape. One that takes values by name lists the names in `siteNames`:
 * the prototype run refuses a name that is not a sample site of the model.
 */
export type InitLocFn = ((site: InitSite) => tf.Tensor) & {
  /** The site names the strategy has values for (initToValue's, its fallback's included). */
  readonly siteNames?: readonly string[];
};

/** `fn` listing the names it has values for, with those of the strategies it falls back to. */
function withSiteNames(fn: (site: InitSite) => tf.Tensor, names: readonly string[], fallback?: InitLocFn): InitLocFn {
  const all = [...new Set([...names, ...(fallback?.siteNames ?? [])])];
  return all.length === 0 ? fn : Object.assign(fn, { siteNames: all });
}

function isSite(x: unknown): x is InitSite {
  return typeof x === "object" && x !== null && "fn" in x && "name" in x;
}

/** A draw from the site's prior. */
export function initToSample(site: InitSite): tf.Tensor;
export function initToSample(): InitLocFn;
export function initToSample(site?: InitSite): tf.Tensor | InitLocFn {
  if (site === undefined) return initToSample;
  return site.fn.sample([], site.seed ?? nextSeed(`init:${site.name}`));
}

const initFn = z.custom<InitLocFn>((f) => typeof f === "function", "an init strategy (a function of the site)");
const medianOptions = z.strictObject({
  numSamples: z._default(z.int().check(z.positive()), 15),
  fallback: z.optional(initFn),
});
const valueOptions = z.strictObject({
  values: z.record(z.string(), z.unknown()),
  fallback: z.optional(initFn),
});

/**
 * The elementwise median of `numSamples` prior draws (default 15); robust to
 * heavy tails. Where the median leaves a structured support (a correlation
 * matrix's Cholesky factor), `fallback` (default initToFeasible), as Pyro's.
 */
export function initToMedian(site: InitSite): tf.Tensor;
export function initToMedian(options?: { numSamples?: number; fallback?: InitLocFn }): InitLocFn;
export function initToMedian(arg?: InitSite | { numSamples?: number; fallback?: InitLocFn }): tf.Tensor | InitLocFn {
  if (isSite(arg)) return medianOfDraws(arg, 15, initToFeasible);
  const o = parseOptions("initToMedian", medianOptions, arg);
  const fallback = o.fallback ?? initToFeasible;
  return withSiteNames((site) => medianOfDraws(site, o.numSamples, fallback), [], o.fallback);
}

function medianOfDraws(site: InitSite, numSamples: number, fallback: InitLocFn): tf.Tensor {
  // refused before drawing: numSamples draws of a large site would fill the heap first
  checkTensorElements(numSamples * site.fn.shape().reduce((p, d) => p * d, 1), () => ({
    subject: `initToMedian({ numSamples: ${numSamples} })`, site: site.name,
    holds: `${numSamples.toLocaleString("en-US")} prior draws of site '${site.name}' (shape [${site.fn.shape().join(", ")}])`,
    fix: "fewer numSamples (the default, 15, is robust), or initToMean / initToFeasible",
  }));
  return tf.tidy(() => {
    const draws = site.fn.sample([numSamples], site.seed ?? nextSeed(`init:${site.name}`));
    const n = draws.size / numSamples;
    const data = draws.dataSync();
    const out = new Float32Array(n);
    const column = new Float64Array(numSamples);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < numSamples; s++) column[s] = data[s * n + i]!;
      column.sort();
      out[i] = column[Math.floor((numSamples - 1) / 2)]!;
    }
    const median = tf.tensor(out, draws.shape.slice(1));
    // a simplex needs its rows renormalised after an elementwise median
    const value = site.fn.support.name.includes("simplex") ? median.div(median.sum(-1, true)) : median;
    // as Pyro's init_to_median: an elementwise median outside a structured support (a correlation
    // matrix's Cholesky factor) takes the fallback (default: the feasible point)
    return site.fn.support.check(value).all().dataSync()[0] ? value : fallback(site);
  });
}

/** The prior mean (falls back to the median where the mean has no closed form). */
export function initToMean(site: InitSite): tf.Tensor;
export function initToMean(): InitLocFn;
export function initToMean(site?: InitSite): tf.Tensor | InitLocFn {
  if (site === undefined) return initToMean;
  try {
    return tf.tidy(() => tf.broadcastTo(site.fn.mean, site.fn.shape()));
  } catch {
    return medianOfDraws(site, 15, initToFeasible);
  }
}

/** The point the unconstrained zero maps to: feasible, deterministic. */
export function initToFeasible(site: InitSite): tf.Tensor;
export function initToFeasible(): InitLocFn;
export function initToFeasible(site?: InitSite): tf.Tensor | InitLocFn {
  if (site === undefined) return initToFeasible;
  return tf.tidy(() => {
    const t = bijectTo(site.fn.support);
    return t.forward(tf.zeros(t.inverseShape(site.fn.shape())));
  });
}

/**
 * Given values for some sites; `fallback` (default initToMedian) for the
 * rest. A name that is not a sample site of the model (a misspelling) is
 * refused by the guide's first run; a site hidden from this guide by a block
 * is fine, so guides of one model may share the values.
 */
export function initToValue(options: { values: Record<string, TensorLike>; fallback?: InitLocFn }): InitLocFn {
  const o = parseOptions("initToValue", valueOptions, options, { valid: "values (site name → value), fallback" });
  const fallback = o.fallback ?? initToMedian();
  return withSiteNames((site) => {
    if (!Object.hasOwn(o.values, site.name)) return fallback(site);
    const t = tensorArg("initToValue", site.name, o.values[site.name]);
    const want = site.fn.shape();
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new PPLModelError(
        `initToValue: the value for site '${site.name}' has shape [${t.shape.join(", ")}] but the site needs [${want.join(", ")}]`,
        { site: site.name, expected: `[${want.join(", ")}]`, actual: `[${t.shape.join(", ")}]` },
      );
    }
    return t.clone();
  }, Object.keys(o.values), fallback);
}
