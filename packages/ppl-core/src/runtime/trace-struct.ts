/**
 * A Trace: the ordered record of one run's sites, with log-probs computed on
 * demand and cached until `dispose()`.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  PPLConfigError, PPLError, PPLModelError, PPLNumericalError, PPLShapeError, PPLSupportError, formatShape,
} from "../errors.js";
import { maskedLogProb } from "../ops/masked.js";
import { checkLogProbShape } from "./log-prob-shape.js";
import type { CondIndepFrame, ParamMsg, SampleMsg } from "./messages.js";

/** A sample site as a trace keeps it: its message after the run, with its value. */
export type SampleSite = Readonly<SampleMsg> & {
  /** The site's value (the observed value for an observed site). */
  readonly value: tf.Tensor;
};
/** A param site as a trace keeps it. */
export type ParamSite = Readonly<ParamMsg> & {
  /** The param's constrained value in this run. */
  readonly value: tf.Tensor;
};
/** Any site of a trace: check `site.type`. */
export type Site = SampleSite | ParamSite;

/**
 * The ordered record of one run's sites (Pyro's `poutine.Trace`), made by
 * {@link trace}. Log-probs are computed on demand, masked and scaled, and
 * cached until `dispose()`; the site values belong to the run
 * (docs/tensor-ownership.md).
 *
 * @example
 * const tr = trace(model).getTrace(data);
 * tr.sampleSite("z_3").value;   // Pyro: tr.nodes["z_3"]["value"]
 * tr.logProbSum().dataSync()[0]; // log p of the whole run
 * console.log(tr.formatShapes());
 */
export class Trace {
  /** Every site by name, in run order. */
  readonly nodes = new Map<string, Site>();
  private readonly logProbs = new Map<string, tf.Tensor>();

  /** Record a site (what `trace` does); a second site with the same name is an error. */
  add(site: Site): void {
    const existing = this.nodes.get(site.name);
    if (existing !== undefined) {
      if (existing.type === "param" && site.type === "param") return; // a param read twice is one site
      throw new PPLModelError(
        `Multiple ${site.type} sites named '${site.name}': site names must be unique within a run ` +
          "(inside a loop, put the index in the name, e.g. `z_${t}`)",
        { site: site.name },
      );
    }
    this.nodes.set(site.name, site);
  }

  /** The site named `name`, or undefined. */
  get(name: string): Site | undefined {
    return this.nodes.get(name);
  }

  /** The sample site named `name`; a PPLModelError listing the trace's sites if there is none. */
  sampleSite(name: string): SampleSite {
    const s = this.nodes.get(name);
    if (s === undefined || s.type !== "sample") {
      throw new PPLModelError(`the trace has no sample site '${name}'; it has ${[...this.nodes.keys()].join(", ")}`, {
        site: name,
      });
    }
    return s;
  }

  /** Sample sites in run order, excluding plate subsample sites. */
  *sampleSites(): IterableIterator<SampleSite> {
    for (const s of this.nodes.values()) if (s.type === "sample" && s.role !== "subsample") yield s;
  }

  /** Unobserved sample sites (latent variables). */
  *latentSites(): IterableIterator<SampleSite> {
    for (const s of this.sampleSites()) if (!s.isObserved) yield s;
  }

  /**
   * The site's log-density, masked and scaled; cached. Its shape (before the
   * mask) is checked as the ELBOs check it: size > 1 only at the dims of the
   * site's plates (with the plate's size there), never empty.
   */
  logProb(name: string): tf.Tensor {
    const cached = this.logProbs.get(name);
    if (cached !== undefined) return cached;
    const site = this.sampleSite(name);
    const lp = tf.tidy(() => {
      const raw = siteLogProb(site, this);
      // checked before the mask, which may broadcast on purpose; an enumerated site's extra dims are the
      // enumeration's, checked by the ELBO that made them against maxPlateNesting
      checkLogProbShape(site, raw.shape, () => site.enumScope !== undefined || site.enumInfo !== undefined, this);
      return scaleAndMask(raw, site.scale, site.mask);
    });
    this.logProbs.set(name, lp);
    return lp;
  }

  /** Sum of every sample site's log-density (optionally filtered), as a scalar tensor. */
  logProbSum(filter: (site: SampleSite) => boolean = () => true): tf.Tensor {
    // the per-site log-probs are made (and cached) outside the sum's tidy, which would dispose them
    const terms: tf.Tensor[] = [];
    for (const site of this.sampleSites()) if (filter(site)) terms.push(this.logProb(site.name));
    return tf.tidy(() => terms.reduce<tf.Tensor>((total, lp) => total.add(lp.sum()), tf.scalar(0)));
  }

  /** Pyro's shape table: one row per site with its distribution, value and log-prob shapes. */
  formatShapes(): string {
    const rows: string[][] = [["Site", "Kind", "Dist", "Batch | Event", "Value", "LogProb", "Plates"]];
    for (const site of this.nodes.values()) {
      if (site.type === "param") {
        rows.push([site.name, "param", "", "", formatShape(site.value.shape), "", ""]);
        continue;
      }
      const lp = this.logProbs.get(site.name);
      rows.push([
        site.name,
        site.role === "sample" ? (site.isObserved ? "obs" : site.enumInfo === undefined ? "latent" : site.enumInfo.kind === "parallel" ? `enum@${site.enumInfo.dim}` : "enum:sequential") : site.role,
        site.fn.name,
        `${formatShape(site.fn.batchShape)} | ${formatShape(site.fn.eventShape)}`,
        formatShape(site.value.shape),
        lp ? formatShape(lp.shape) : "",
        site.condIndepStack.map(formatFrame).join(" "),
      ]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
  }

  /** Dispose every cached log-prob. Site values belong to whoever made them. */
  dispose(): void {
    tf.dispose([...this.logProbs.values()]);
    this.logProbs.clear();
  }
}

/** `data@-1` for a vectorised plate, `data[3]` for iteration 3 of a sequential one. */
export function formatFrame(f: CondIndepFrame): string {
  return f.dim === undefined ? `${f.name}[${f.index}]` : `${f.name}@${f.dim}`;
}

function siteLogProb(site: SampleSite, trace: Trace): tf.Tensor {
  try {
    return site.fn.logProb(site.value);
  } catch (err) {
    throw logProbError(site, err, trace);
  }
}

/**
 * The error to throw when a site's log-prob fails: errors that already name a
 * site pass through; others (tfjs broadcasting errors, shape errors from deep
 * inside a distribution) are rethrown naming the site, its plates and shapes.
 */
export function logProbError(site: SampleSite, err: unknown, trace?: Trace): Error {
  if (err instanceof PPLError && err.site !== undefined) return err;
  if (err instanceof PPLModelError) return err;
  if (err instanceof Error && !(err instanceof PPLError) && /disposed/i.test(err.message)) {
    return new PPLModelError(
      `at site '${site.name}': a tensor of its ${site.fn.name} distribution or of its value was disposed before the log-prob ` +
        `was computed (${err.message}). Fix: keep tensors reused across runs out of tf.tidy (or tf.keep them)`,
      { site: site.name, expected: "live tensors", actual: "disposed" },
    );
  }
  const batch = `${formatShape(site.fn.batchShape)} | ${formatShape(site.fn.eventShape)}`;
  const plates = site.condIndepStack
    .map((f) => (f.dim === undefined ? `'${f.name}' (sequential, member ${f.index})` : `'${f.name}' (size ${f.subsampleSize}) at dim ${f.dim}`))
    .join(", ");
  const message =
    `at site '${site.name}': ${site.fn.name}.logProb failed on a value of shape ${formatShape(site.value.shape)} ` +
    `(distribution batch | event shape ${batch}${plates ? `; plates: ${plates}` : ""}): ${(err as Error).message}\n` +
    "Try one of the following fixes:\n" +
    "- give the observed value a shape that broadcasts to the batch shape (plate dims included) followed by the event shape\n" +
    "- .toEvent(...) the distribution being sampled if its rightmost dims are one event\n" +
    "- transpose the data so its batch dims line up with the plates" +
    (trace === undefined ? "" : `\nTrace shapes:\n${trace.formatShapes()}`);
  const fields = {
    site: site.name,
    plate: site.condIndepStack[0]?.name,
    expected: `a value broadcastable to ${batch}`,
    actual: formatShape(site.value.shape),
  };
  return err instanceof PPLSupportError || err instanceof PPLNumericalError || err instanceof PPLConfigError
    ? new (err.constructor as typeof PPLError)(message, { ...fields, expected: err.expected ?? fields.expected, actual: err.actual ?? fields.actual })
    : new PPLShapeError(message, fields);
}

export function scaleAndMask(lp: tf.Tensor, scale: number | tf.Tensor, mask: tf.Tensor | boolean): tf.Tensor {
  let out = lp;
  if (mask === false) out = tf.zerosLike(out);
  else if (mask !== true) out = maskedLogProb(out, mask);
  if (scale !== 1) out = out.mul(scale);
  return out;
}
