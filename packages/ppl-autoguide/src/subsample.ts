/**
 * Local latent sites in a subsampled plate (Pyro's AutoNormal/AutoDelta with
 * `subsample_size`): a guide keeps each such site's params at the plate's full
 * size and, on every run, reads the rows of the members the plate drew. The
 * guide opens each subsampled plate once per run (its index draw is a site,
 * which the model's plate of the same name then replays), so the sites are
 * walked as a tree of their plates.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type ModelGenerator, PPLModelError, type PlateFrame, plate } from "ppl-core";
import type { GuideValues } from "./auto-guide.js";
import type { PrototypeSite } from "./prototype.js";

/** The indices each enclosing plate drew in this run, by plate name (subsampled plates only). */
export type PlateIndices = ReadonlyMap<string, tf.Tensor>;

const isSubsampled = (f: PlateFrame) => f.subsampleSize < f.size;

/** Whether any of the site's plates is subsampled. */
export function hasSubsampledPlate(site: PrototypeSite): boolean {
  return site.plates.some(isSubsampled);
}

/** The axis of a plate's dim in a value whose leading dims are the site's batch dims. */
function plateAxis(site: PrototypeSite, frame: PlateFrame): number {
  return site.shape.length - site.eventDim + frame.dim;
}

/** The site's shape with every subsampled plate at its full size: the shape of its params. */
export function fullShape(site: PrototypeSite): number[] {
  const shape = [...site.shape];
  for (const f of site.plates) if (isSubsampled(f)) shape[plateAxis(site, f)] = f.size;
  return shape;
}

/**
 * The site's init value (constrained) at full size: the prototype saw only one
 * subsample, so its values are repeated periodically along each subsampled
 * plate's dim (Pyro's `periodic_repeat`).
 */
export function fullSizeInit(site: PrototypeSite): tf.Tensor {
  return tf.tidy(() => {
    let value = tf.tensor(site.init, [...site.shape]);
    for (const f of site.plates) {
      if (!isSubsampled(f)) continue;
      const axis = plateAxis(site, f);
      const reps = value.shape.map((_, i) => (i === axis ? Math.ceil(f.size / value.shape[axis]!) : 1));
      const tiled = value.tile(reps);
      value = tiled.slice(tiled.shape.map(() => 0), tiled.shape.map((s, i) => (i === axis ? f.size : s)));
    }
    return value;
  });
}

/**
 * The rows of a full-size value (a param, or what a transform made of one)
 * that this run's subsamples picked; the value itself when no plate is subsampled.
 */
export function selectRows(value: tf.Tensor, site: PrototypeSite, indices: PlateIndices): tf.Tensor {
  let out = value;
  for (const f of site.plates) {
    if (!isSubsampled(f)) continue;
    out = tf.gather(out, indices.get(f.name)!, plateAxis(site, f));
  }
  return out;
}

/**
 * Run `body` for every site inside its plates, entering each plate once for
 * all the sites that share it, so a subsampled plate draws its indices once.
 * Sites run in their prototype order as far as the grouping allows.
 */
export function* inPlateTree(
  sites: readonly PrototypeSite[],
  body: (site: PrototypeSite, indices: PlateIndices, values: Readonly<GuideValues>) => ModelGenerator<tf.Tensor>,
): ModelGenerator<GuideValues> {
  const values: GuideValues = {};
  yield* walk(sites, 0, new Map(), body, values);
  return values;
}

function* walk(
  sites: readonly PrototypeSite[],
  depth: number,
  indices: Map<string, tf.Tensor>,
  body: (site: PrototypeSite, indices: PlateIndices, values: Readonly<GuideValues>) => ModelGenerator<tf.Tensor>,
  values: GuideValues,
): ModelGenerator<void> {
  const entered = new Set<string>();
  for (const site of sites) {
    const frame = site.plates[depth];
    if (frame === undefined) {
      values[site.name] = yield* body(site, indices, values);
      continue;
    }
    if (entered.has(frame.name)) continue;
    entered.add(frame.name);
    const group = sites.filter((s) => s.plates[depth]?.name === frame.name);
    const options = isSubsampled(frame) ? { dim: frame.dim, subsampleSize: frame.subsampleSize } : { dim: frame.dim };
    yield* plate(frame.name, frame.size, options, function* (idx) {
      const inner = new Map(indices);
      if (isSubsampled(frame)) inner.set(frame.name, idx);
      yield* walk(group, depth + 1, inner, body, values);
    });
  }
}

/**
 * The refusal of a guide that cannot keep per-member params for a subsampled
 * plate (the AutoContinuous family, whose one latent vector has a fixed size,
 * as NumPyro's AutoContinuous refuses; AutoDiscreteParallel).
 */
export function refuseSubsampled(guideName: string, sites: readonly PrototypeSite[]): void {
  const site = sites.find(hasSubsampledPlate);
  if (site === undefined) return;
  const frame = site.plates.find(isSubsampled)!;
  throw new PPLModelError(
    `${guideName}: site '${site.name}' is in plate '${frame.name}', subsampled (${frame.subsampleSize} of ${frame.size} members), ` +
      `and ${guideName} cannot give local latent sites of a subsampled plate their own params.\n` +
      "Fix:\n" +
      `- use AutoNormal or AutoDelta for the sites in plate '${frame.name}' (in an AutoGuideList, ` +
      `e.g. .append(new AutoNormal(block(model, { expose: ["${site.name}"] }))))\n` +
      "- or write that part of the guide by hand (docs/subsampling.md)",
    { site: site.name, plate: frame.name, expected: "no subsampled plate", actual: `${frame.subsampleSize} of ${frame.size}` },
  );
}
