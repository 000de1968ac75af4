/**
 * A Trace: the ordered record of one run's sites, with log-probs computed on
 * demand and cached until `dispose()`.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLModelError, PPLShapeError, formatShape } from "../errors.js";
import { broadcastShapes } from "../ops/tensor.js";
import type { ParamMsg, SampleMsg } from "./messages.js";

export type SampleSite = Readonly<SampleMsg> & { readonly value: tf.Tensor };
export type ParamSite = Readonly<ParamMsg> & { readonly value: tf.Tensor };
export type Site = SampleSite | ParamSite;

export class Trace {
  readonly nodes = new Map<string, Site>();
  private readonly logProbs = new Map<string, tf.Tensor>();

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

  get(name: string): Site | undefined {
    return this.nodes.get(name);
  }

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

  /** The site's log-density, masked and scaled; cached. */
  logProb(name: string): tf.Tensor {
    const cached = this.logProbs.get(name);
    if (cached !== undefined) return cached;
    const site = this.sampleSite(name);
    const lp = tf.tidy(() => scaleAndMask(siteLogProb(site), site.scale, site.mask));
    this.logProbs.set(name, lp);
    return lp;
  }

  /** Sum of every sample site's log-density (optionally filtered), as a scalar tensor. */
  logProbSum(filter: (site: SampleSite) => boolean = () => true): tf.Tensor {
    return tf.tidy(() => {
      let total: tf.Tensor = tf.scalar(0);
      for (const site of this.sampleSites()) if (filter(site)) total = total.add(this.logProb(site.name).sum());
      return total;
    });
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
        site.role === "sample" ? (site.isObserved ? "obs" : site.enumInfo ? `enum@${site.enumInfo.dim}` : "latent") : site.role,
        site.fn.name,
        `${formatShape(site.fn.batchShape)} | ${formatShape(site.fn.eventShape)}`,
        formatShape(site.value.shape),
        lp ? formatShape(lp.shape) : "",
        site.condIndepStack.map((f) => `${f.name}@${f.dim}`).join(" "),
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

function siteLogProb(site: SampleSite): tf.Tensor {
  try {
    return site.fn.logProb(site.value);
  } catch (err) {
    if (err instanceof PPLModelError || err instanceof PPLShapeError) throw err;
    // tfjs broadcasting errors do not say which site; say it here.
    const batch = `${formatShape(site.fn.batchShape)} | ${formatShape(site.fn.eventShape)}`;
    throw new PPLShapeError(
      `at site '${site.name}': ${site.fn.name}.logProb failed on a value of shape ${formatShape(site.value.shape)} ` +
        `(distribution batch | event shape ${batch}): ${(err as Error).message}`,
      { site: site.name, expected: `a value broadcastable to ${batch}`, actual: formatShape(site.value.shape) },
    );
  }
}

export function scaleAndMask(lp: tf.Tensor, scale: number | tf.Tensor, mask: tf.Tensor | boolean): tf.Tensor {
  let out = lp;
  if (mask === false) out = tf.zerosLike(out);
  else if (mask !== true) {
    const shape = broadcastShapes([out.shape, mask.shape]);
    out = tf.where(tf.broadcastTo(mask.cast("bool"), shape), tf.broadcastTo(out, shape), tf.zeros(shape));
  }
  if (scale !== 1) out = out.mul(scale);
  return out;
}
