/**
 * Predictive: draws from a model's predictive distribution (Pyro's
 * `pyro.infer.Predictive`). Latent sites come from a guide or from given
 * posterior samples, the model is run against them, and its observed sites
 * are drawn afresh, so the result is the posterior predictive (with neither, the
 * prior predictive).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { PPLConfigError, PPLModelError, PPLShapeError, formatShape, nearestName } from "../errors.js";
import { condition } from "../handlers/condition.js";
import { inOuterPlate } from "../handlers/plate.js";
import { trace } from "../handlers/trace.js";
import { parseOptions } from "../options.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";
import type { SampleSite } from "../runtime/trace-struct.js";
import { deepestPlateDim } from "./max-plate-nesting.js";
import type { ProgressBarOptions } from "./progress.js";
import { progressOption, progressBar } from "./progress-option.js";

/** Name of the outer plate that `parallel: true` adds (Pyro's `_num_predictive_samples`). */
export const PREDICTIVE_PLATE = "_num_predictive_samples";

const isModel = (f: unknown) => typeof f === "function";
const predictiveOptions = z.strictObject({
  guide: z.optional(z.custom<Model<unknown[]>>(isModel, "a guide (generator function)")),
  posteriorSamples: z.optional(z.record(z.string(), z.custom<tf.Tensor>((t) => t instanceof tf.Tensor, "a tensor [numSamples, ...site shape]"))),
  numSamples: z.optional(z.int().check(z.positive())),
  returnSites: z.optional(z.array(z.string())),
  parallel: z._default(z.boolean(), false),
  wrapModel: z.optional(z.custom<(m: Model<unknown[]>) => Model<unknown[]>>(isModel, "a function (model) => model")),
  progress: progressOption,
});

/**
 * Options of {@link Predictive}. Give `guide` or `posteriorSamples` (or neither,
 * with `numSamples`, for the prior predictive).
 */
export interface PredictiveOptions<A extends unknown[]> {
  /** A guide to draw the latent sites from; run with the model's arguments once per sample. */
  guide?: Model<A>;
  /** Latent values, each `[numSamples, ...site shape]` (e.g. from `guide.sample(n)` or an MCMC run). */
  posteriorSamples?: Record<string, tf.Tensor>;
  /** How many draws; with `posteriorSamples` it defaults to (and must equal) their leading size. */
  numSamples?: number;
  /**
   * Sites to return. Default: with a guide, every sample and deterministic
   * site of the model; with `posteriorSamples`, those not given.
   */
  returnSites?: readonly string[];
  /**
   * Draw all samples in one run, inside an outer plate named
   * `_num_predictive_samples` at dim `-(maxPlateNesting + 1)`: every batch dim
   * of the model must be declared by a plate. Default false (one run per sample).
   */
  parallel?: boolean;
  /**
   * Applied to the model after it is conditioned on the latent values and
   * before its observed sites are re-drawn: where `inferDiscrete` goes, so the
   * enumerated discrete sites are drawn from their posterior given the
   * latent values and the data, e.g.
   * `wrapModel: (m) => inferDiscrete(m, { temperature: 1, firstAvailableDim: -2 })`
   * (with `parallel`, one dim further left: -3). Wrapping the model passed to
   * Predictive instead would decode the discrete sites before the latent values are set.
   */
  wrapModel?: (model: Model<A>) => Model<A>;
  /**
   * Show progress on stderr while `forward` draws (default `false`): `true` for a redrawn bar on a
   * terminal and a plain line every tenth of the draw otherwise, or the {@link ProgressBarOptions}.
   * It counts runs: one per sample (`numSamples` of them; one in all with `parallel`), twice
   * that with a guide, which runs before the model for every sample. Each model run includes
   * `wrapModel`'s, so a Predictive that decodes with `inferDiscrete` shows how far the decoding is.
   */
  progress?: boolean | ProgressBarOptions;
}

/** Samples by site name, each `[numSamples, ...site shape]`; the caller owns the tensors. */
export type PredictiveSamples = Record<string, tf.Tensor>;

/**
 * Pyro's `Predictive`: samples from the posterior predictive of a model.
 *
 * ```ts
 * const predictive = new Predictive(model, { guide, numSamples: 500 });
 * const draws = predictive.forward(xNew); // { beta: [500, 2], y: [500, n], ... }
 * ```
 *
 * For each sample, the latent sites of the model take the guide's draw (or the
 * given posterior sample at that index), the model runs with them, and every
 * site the model observes is drawn anew from its distribution: the observed
 * data only shapes the result through the latent values (and through
 * `wrapModel`, for discrete sites decoded from it). Sites neither given nor
 * observed (e.g. ones the guide does not cover) are drawn from the model.
 */
export class Predictive<A extends unknown[]> {
  /** The number of draws per call. */
  readonly numSamples: number;
  private readonly options: z.output<typeof predictiveOptions>;

  /**
   * @param model the model (a generator function), run with the arguments given to `forward`
   * @param options {@link PredictiveOptions}
   */
  constructor(readonly model: Model<A>, options: PredictiveOptions<A>) {
    const o = parseOptions("Predictive", predictiveOptions, options);
    this.options = o;
    if (o.guide !== undefined && o.posteriorSamples !== undefined) {
      throw new PPLConfigError("Predictive: give either guide or posteriorSamples, not both", {
        expected: "{ guide } or { posteriorSamples }", actual: "both",
      });
    }
    const leading = Object.entries(o.posteriorSamples ?? {}).map(([name, t]) => {
      if (t.rank < 1) {
        throw new PPLShapeError(`Predictive: posteriorSamples['${name}'] must have a leading sample dim, got a scalar`, {
          site: name, expected: "[numSamples, ...site shape]", actual: formatShape(t.shape),
        });
      }
      return [name, t.shape[0]!] as const;
    });
    const n = o.numSamples ?? leading[0]?.[1];
    if (n === undefined) {
      throw new PPLConfigError("Predictive: give numSamples (it can only be left out when posteriorSamples are given)", {
        expected: "numSamples: a positive integer", actual: "none",
      });
    }
    const bad = leading.find(([, size]) => size !== n);
    if (bad !== undefined) {
      throw new PPLShapeError(
        `Predictive: posteriorSamples['${bad[0]}'] has ${bad[1]} samples (its leading dim) but ${o.numSamples === undefined ? `'${leading[0]![0]}' has` : "numSamples is"} ${n}`,
        { site: bad[0], expected: `leading dim ${n}`, actual: String(bad[1]) },
      );
    }
    this.numSamples = n;
  }

  /**
   * Draw `numSamples` predictive samples (Pyro's `predictive(*args)`).
   * @param args the model's (and the guide's) arguments
   * @returns a tensor `[numSamples, ...site shape]` per returned site
   */
  forward(...args: A): PredictiveSamples {
    const guide = this.options.guide as Model<unknown[]> | undefined;
    const runs = (guide === undefined ? 1 : 2) * (this.options.parallel ? 1 : this.numSamples);
    const bar = progressBar(this.options.progress, runs, { label: "Predictive", unit: "run" });
    let done = 0;
    const ran = bar === undefined ? undefined : () => bar.update(done++);
    try {
      return tf.tidy(() => {
        const model = this.model as Model<unknown[]>;
        const given = guide === undefined
          ? this.options.posteriorSamples ?? {}
          : samplesOf(guide, undefined, this.numSamples, this.options.parallel, args, undefined, "guide", undefined, ran);
        const wrap = this.options.wrapModel;
        const returnSites = this.options.returnSites ?? (guide !== undefined ? undefined : (site: string) => !(site in given));
        return samplesOf(model, given, this.numSamples, this.options.parallel, args, returnSites, "model", wrap, ran);
      });
    } finally {
      bar?.close();
    }
  }
}

/** Which sites to return: the named ones, a filter, or (undefined) every sample and deterministic site. */
type ReturnSites = readonly string[] | ((site: string) => boolean) | undefined;

/**
 * Run `model` numSamples times (or once, vectorised) with `given` latent
 * values and its observed sites re-drawn; the chosen sites' values, stacked.
 * For a guide (`given` undefined): every latent site it samples. `ran` is
 * called after each run (the progress display).
 */
function samplesOf(
  model: Model<unknown[]>,
  given: Record<string, tf.Tensor> | undefined,
  n: number,
  parallel: boolean,
  args: unknown[],
  returnSites: ReturnSites,
  who: "model" | "guide",
  wrap?: (m: Model<unknown[]>) => Model<unknown[]>,
  ran?: () => void,
): PredictiveSamples {
  const prototype = trace(model).getTrace(...args);
  const sites = [...prototype.sampleSites()].filter((s) => s.role === "sample" || s.role === "deterministic");
  const chosen = chooseSites(sites, returnSites, who === "guide");
  const values = given ?? {};
  const maxPlateNesting = deepestPlateDim(prototype);
  const shapeOf = new Map(sites.map((s) => [s.name, s]));
  checkGiven(values, shapeOf);
  // the model (vectorised or not) conditioned, then wrapped (inferDiscrete must see the outer plate), then re-drawn
  const build = (vals: Record<string, tf.Tensor>, m: Model<unknown[]> = model) => resampleObserved(
    (wrap ?? ((x) => x))(condition(m, vals)),
    new Set(Object.keys(vals)),
  );

  if (!parallel) {
    const runs: PredictiveSamples[] = [];
    for (let i = 0; i < n; i++) {
      runs.push(tf.tidy(() => {
        const vals = Object.fromEntries(Object.entries(values).map(([k, t]) => [k, t.gather(i)]));
        const tr = trace(build(vals)).getTrace(...args);
        return Object.fromEntries(chosen.map((s) => [s.name, tr.sampleSite(s.name).value]));
      }));
      ran?.();
    }
    return Object.fromEntries(chosen.map((s) => [s.name, tf.stack(runs.map((r) => r[s.name]!))]));
  }

  // one run in an outer plate left of every model plate; values are [n, 1.., ...site shape] so batch dims line up
  const dim = -maxPlateNesting - 1;
  const liftedShape = (site: SampleSite, siteShape: readonly number[]) => {
    const pad = maxPlateNesting - (siteShape.length - site.fn.eventShape.length);
    return [n, ...new Array<number>(Math.max(0, pad)).fill(1), ...siteShape];
  };
  const vals = Object.fromEntries(Object.entries(values).map(([k, t]) => {
    const site = shapeOf.get(k);
    return [k, site === undefined ? t : t.reshape(liftedShape(site, t.shape.slice(1)))];
  }));
  const tr = trace(build(vals, inOuterPlate(model, PREDICTIVE_PLATE, n, dim, {
    who: `Predictive({ numSamples: ${n}, parallel: true })`, fix: "fewer samples per call, or parallel: false (one run per sample)",
  }))).getTrace(...args);
  ran?.();
  return Object.fromEntries(chosen.map((s) => {
    const v = tr.sampleSite(s.name).value;
    const want = [...s.value.shape];
    const full = [n, ...want];
    if (v.size === n * want.reduce((a, b) => a * b, 1)) return [s.name, v.reshape(full)];
    // a site that does not vary with the sample (e.g. a deterministic of the data alone)
    return [s.name, tf.broadcastTo(v, liftedShape(s, want)).reshape(full)];
  }));
}

function chooseSites(sites: SampleSite[], returnSites: ReturnSites, latentOnly: boolean): SampleSite[] {
  if (latentOnly) return sites.filter((s) => !s.isObserved && s.role === "sample");
  if (returnSites === undefined) return sites;
  if (typeof returnSites === "function") return sites.filter((s) => returnSites(s.name));
  const missing = returnSites.filter((name) => !sites.some((s) => s.name === name));
  if (missing.length > 0) {
    throw new PPLConfigError(
      `Predictive: returnSites names ${missing.map((m) => `'${m}'`).join(", ")}, which the model does not sample; ` +
        `its sample sites are ${sites.map((s) => s.name).join(", ") || "none"}`,
      { site: missing[0], expected: "names of the model's sample or deterministic sites", actual: missing.join(", ") },
    );
  }
  return sites.filter((s) => returnSites.includes(s.name));
}

/** Each given value must have the site's shape after its leading sample dim. */
function checkGiven(values: Record<string, tf.Tensor>, sites: ReadonlyMap<string, SampleSite>): void {
  for (const [name, t] of Object.entries(values)) {
    const site = sites.get(name);
    if (site === undefined) {
      // Pyro ignores it (for a guide's auxiliary sites, which ppl's guides do not have): here it would be a draw silently unused
      const near = nearestName(name, sites.keys());
      throw new PPLModelError(
        `Predictive: posteriorSamples has samples of site '${name}', but the model has no sample site of that name` +
          (near === undefined ? "" : `; did you mean '${near}'? Its sample sites: ${[...sites.keys()].slice(0, 12).join(", ")}`),
        { site: name, expected: near ?? "a sample site of the model", actual: name },
      );
    }
    const want = site.value.shape;
    const got = t.shape.slice(1);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new PPLShapeError(
        `Predictive: the samples of site '${name}' have shape ${formatShape(t.shape)}, but the site has shape ${formatShape(want)}, ` +
          `so they must be ${formatShape([t.shape[0]!, ...want])}`,
        { site: name, expected: formatShape([t.shape[0]!, ...want]), actual: formatShape(t.shape) },
      );
    }
  }
}

/** The model's own observed sites (not the conditioned ones) drawn from their distributions instead. */
function resampleObserved<A extends unknown[], R>(model: Model<A, R>, conditioned: ReadonlySet<string>): Model<A, R> {
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.role !== "sample" || !msg.isObserved || conditioned.has(msg.name)) return;
      msg.value = undefined;
      msg.isObserved = false;
      msg.done = false;
    },
  }));
}
