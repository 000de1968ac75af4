/**
 * A spec as a ppl model and guide, written the way a user would: param
 * tables through softmax/sigmoid/exp, vindex by the parents' values, plates
 * re-entered per site, markov(range(T), ..., { history }) for chains,
 * mask(...) and scale(...) around single sites.
 */
import * as tf from "@tensorflow/tfjs";
import { block, condition, dist, mask, markov, param, plate, range, sample, scale, vindex, withHandler } from "ppl-core";
import {
  AutoDelta, AutoDiagonalNormal, AutoLowRankMultivariateNormal, AutoMultivariateNormal, AutoNormal, initToValue,
} from "ppl-autoguide";
import { initOf as continuousInit, shapeOf, summaryIndex } from "./continuous.js";
import type { Distribution, Model, ModelGenerator } from "ppl-core";
import { pathOf, tuplesOf, type ContinuousSpec, type MaskSpec, type SiteSpec, type Spec } from "./spec.js";

/** The layout of a tensor on the dims of the plates `along` (size 1 elsewhere): its shape, and where each index tuple of `path` sits. */
function plateLayout(spec: Spec, path: readonly number[], along: readonly number[]): { shape: number[]; positions: number[] } {
  const rank = Math.max(0, ...along.map((p) => -spec.plates[p]!.dim));
  const shape = new Array<number>(rank).fill(1);
  for (const p of along) shape[rank + spec.plates[p]!.dim] = spec.plates[p]!.size;
  const strides = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
  const positions = tuplesOf(spec.plates, path).map((tuple) => {
    let k = 0;
    for (const p of along) k += tuple[path.indexOf(p)]! * strides[rank + spec.plates[p]!.dim]!;
    return k;
  });
  return { shape, positions };
}

/** A tensor laid out on the dims of `plates` (size 1 elsewhere), one value per index of `path`. */
export function onPlateDims(spec: Spec, path: readonly number[], along: readonly number[], values: readonly number[], dtype: "float32" | "int32" | "bool"): tf.Tensor {
  const { shape, positions } = plateLayout(spec, path, along);
  const flat = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  positions.forEach((k, ti) => (flat[k] = values[ti]!));
  return dtype === "bool" ? tf.tensor(flat, shape, "int32").cast("bool") : tf.tensor(flat, shape, dtype);
}

/** The inverse of onPlateDims over a site's own plates: one value per index tuple of the site (row-major). */
export function fromPlateDims(spec: Spec, node: number | null, t: tf.Tensor): number[] {
  const path = pathOf(spec.plates, node);
  const data = t.dataSync();
  return plateLayout(spec, path, path).positions.map((k) => data[k]!);
}

/** A site's observed value as the model reads it (float32 or int32, on its plates' dims). */
export function observedValue(spec: Spec, s: SiteSpec): tf.Tensor {
  const path = pathOf(spec.plates, s.node);
  return onPlateDims(spec, path, path, s.data!, s.family === "categorical" ? "int32" : "float32");
}

function maskValue(spec: Spec, site: SiteSpec, m: MaskSpec): tf.Tensor | boolean {
  if (m.kind === "false") return false;
  return onPlateDims(spec, pathOf(spec.plates, site.node), m.plates, m.values.map(Number), "bool");
}

export interface BuildOptions {
  /** Per-site scale overrides (to build models that break the common-scale rule). */
  readonly scaleOverride?: ReadonlyMap<string, number>;
  /** Observed values to use instead of the spec's data (tensors the caller differentiates), by site name. */
  readonly values?: ReadonlyMap<string, tf.Tensor>;
}

/** A continuous latent's prior; `bound` is the value of the latent that ends a dependent interval. */
export function priorOf(c: ContinuousSpec, bound?: tf.Tensor): Distribution {
  switch (c.prior) {
    case "normal": return dist.Normal(0, 1);
    case "halfnormal": return dist.HalfNormal(1);
    case "lognormal": return dist.LogNormal(0, 0.5);
    case "exponential": return dist.Exponential(1);
    case "gamma": return dist.Gamma(2, 1);
    case "beta": return dist.Beta(2, 2);
    case "uniform": return dist.Uniform(-1, 2);
    case "lowerBounded": return dist.TruncatedNormal(0, 1, -1, Infinity);
    case "upperBounded": return dist.TruncatedNormal(0, 1, -Infinity, 1);
    case "dependent": return dist.Uniform(0, bound!);
    case "dirichlet": return dist.Dirichlet([1.5, 2, 2.5]);
    case "lkj": return dist.LKJCholesky(3, 1.5);
  }
}

/** A continuous latent's initial value as a tensor of its shape. */
export function continuousInitTensor(c: ContinuousSpec): tf.Tensor {
  return tf.tensor(continuousInit(c), shapeOf(c), "float32");
}

/** Read a param, inside block(…, { hideTypes: ["param"] }) when the spec hides it (so no trace records it). */
function* readParam(spec: Spec, name: string): ModelGenerator<tf.Tensor> {
  const read = function* (): ModelGenerator<tf.Tensor> {
    return yield* param(name, () => initOf(spec, name));
  };
  return spec.hidden?.includes(name) === true ? yield* block(read, { hideTypes: ["param"] })() : yield* read();
}

export function buildModel(spec: Spec, o: BuildOptions = {}): Model<[]> {
  function* model(): ModelGenerator<void> {
    const values = new Map<number, tf.Tensor>();
    const drawn: tf.Tensor[] = [];
    const shifts: tf.Tensor[] = [];
    for (const c of spec.continuous ?? []) {
      const v = yield* sample(c.name, priorOf(c, c.bound === undefined ? undefined : drawn[c.bound]), spec.continuousFixed === true ? { obs: continuousInitTensor(c) } : {});
      drawn.push(v);
      // a simplex's first weight, a Cholesky factor's L[1, 0]: one number to shift Normal observations by
      shifts.push(v.rank === 0 ? v : v.reshape([-1]).slice(summaryIndex(c), 1).reshape([]));
    }
    const chainsDone = new Set<number>();
    for (let i = 0; i < spec.sites.length; i++) {
      const s = spec.sites[i]!;
      if (s.chain === undefined) {
        yield* inPlates(spec, s.node, () => siteGen(spec, i, values, shifts, o));
        continue;
      }
      if (chainsDone.has(s.chain.id)) continue;
      chainsDone.add(s.chain.id);
      const c = spec.chains[s.chain.id]!;
      const id = s.chain.id;
      const steps = spec.sites.flatMap((x, j) => (x.chain?.id === id ? [j] : []));
      yield* inPlates(spec, c.node, () => markov(range(c.T), function* (t) {
        for (const j of steps) if (spec.sites[j]!.chain!.step === t) yield* siteGen(spec, j, values, shifts, o);
      }, { history: c.history }));
    }
  }
  const scaled = spec.modelScale === 1 ? model : scale(model, spec.modelScale);
  const conditioned = spec.sites.filter((s) => s.conditioned === true);
  if (conditioned.length === 0) return scaled;
  return function* (): ModelGenerator<void> {
    // the values are made per run, as a model's arguments would be
    const data = Object.fromEntries(conditioned.map((s) => [s.name, o.values?.get(s.name) ?? observedValue(spec, s)]));
    yield* condition(scaled, data)();
  };
}

const AUTOGUIDES = {
  delta: AutoDelta, normal: AutoNormal, diagonal: AutoDiagonalNormal, multivariate: AutoMultivariateNormal, lowRank: AutoLowRankMultivariateNormal,
} as const;

/**
 * The guide: the spec's autoguide over the continuous latents (of `model`, blocked to them; initialised at the
 * spec's values), and a q table per guide-enumerated site. `draws`, if given, receives each continuous latent's
 * value (flat) at every run, so the oracle can score the guide's last draw.
 */
export function buildGuide(spec: Spec, model: Model<[]> = buildModel(spec), draws?: Map<string, number[]>): Model<[]> {
  return guideWith(spec, autoguideOf(spec, model), draws);
}

/**
 * Two guides on one autoguide (so one set of params): the first reads nothing in JS, the second records each
 * continuous draw into `draws` (a compiled loss replays the first; the second is its interpreted reference).
 */
export function buildGuidePair(spec: Spec, model: Model<[]>, draws: Map<string, number[]>): [Model<[]>, Model<[]>] {
  const auto = autoguideOf(spec, model);
  return [guideWith(spec, auto), guideWith(spec, auto, draws)];
}

function autoguideOf(spec: Spec, model: Model<[]>): Model<[]> | undefined {
  const continuous = spec.continuous ?? [];
  const Guide = AUTOGUIDES[spec.autoguide ?? "delta"];
  return continuous.length === 0 ? undefined
    : new Guide(block(model, { expose: continuous.map((c) => c.name) }), { initLocFn: initToValue({ values: Object.fromEntries(continuous.map((c) => [c.name, continuousInitTensor(c)])) }) });
}

function guideWith(spec: Spec, auto: Model<[]> | undefined, draws?: Map<string, number[]>): Model<[]> {
  const names = new Set((spec.continuous ?? []).map((c) => c.name));
  const recorded = auto === undefined || draws === undefined ? auto : withHandler(auto, () => ({
    postprocess(msg) {
      if (msg.type === "sample" && names.has(msg.name)) draws.set(msg.name, Array.from(msg.value!.dataSync()));
    },
  }));
  return function* guide(): ModelGenerator<void> {
    if (recorded !== undefined) yield* recorded();
    for (const s of spec.sites) {
      if (s.enumerate !== "guide") continue;
      yield* inPlates(spec, s.node, function* () {
        const q = yield* readParam(spec, `q_${s.name}`);
        const d = s.family === "categorical" ? dist.Categorical({ logits: q }) : dist.Bernoulli({ logits: q });
        yield* sample(s.name, d, { infer: { enumerate: s.sequential === true ? "sequential" : "parallel" } });
      });
    }
  };
}

function initOf(spec: Spec, name: string): tf.Tensor {
  const p = spec.params[name]!;
  return tf.tensor(p.values, p.shape, "float32");
}

function inPlates(spec: Spec, node: number | null, body: () => ModelGenerator<unknown>): ModelGenerator<unknown> {
  const path = pathOf(spec.plates, node);
  const enter = (k: number): ModelGenerator<unknown> => {
    if (k === path.length) return body();
    const p = spec.plates[path[k]!]!;
    return plate(p.name, p.size, p.explicitDim === undefined ? {} : { dim: p.explicitDim }, () => enter(k + 1));
  };
  return enter(0);
}

function* siteGen(spec: Spec, i: number, values: Map<number, tf.Tensor>, shifts: readonly tf.Tensor[], o: BuildOptions): ModelGenerator<void> {
  const s = spec.sites[i]!;
  const table = yield* readParam(spec, s.param);
  const idx = s.parents.map((p) => {
    const v = values.get(p)!;
    return v.dtype === "int32" ? v : v.toInt();
  });
  const at = (t: tf.Tensor, trailing: boolean) => (idx.length === 0 ? t : vindex(t, "...", ...idx, ...(trailing ? [":" as const] : [])));
  let d: Distribution;
  switch (s.family) {
    case "categorical":
      d = s.viaLogits ? dist.Categorical({ logits: at(table, true) })
        : dist.Categorical(at(s.unnormalised === true ? tf.exp(table) : tf.softmax(table), true));
      break;
    case "bernoulli":
      // gated: p * z, z the first parent's value (0 or 1), so the probability reaches 0 exactly
      d = s.viaLogits ? dist.Bernoulli({ logits: at(table, false) })
        : dist.Bernoulli(s.gated === true ? at(tf.sigmoid(table), false).mul(values.get(s.parents[0]!)!.toFloat()) : at(tf.sigmoid(table), false));
      break;
    case "normal":
      d = dist.Normal(s.shift === undefined ? at(table, false) : at(table, false).add(shifts[s.shift]!), s.sd);
      break;
    case "poisson":
      d = dist.Poisson(at(table, false).exp());
      break;
  }
  const enumerated = s.role === "latent" && s.enumerate === "model";
  const options = s.role === "obs"
    ? (s.conditioned === true ? {} : { obs: o.values?.get(s.name) ?? observedValue(spec, s) })
    : enumerated ? { infer: { enumerate: s.sequential === true ? "sequential" as const : "parallel" as const } } : {};
  const siteScale = o.scaleOverride?.get(s.name) ?? s.scale;
  const m = s.mask === undefined ? undefined : maskValue(spec, s, s.mask);
  let v: tf.Tensor;
  if (s.blockForm === true) {
    const draw = function* (): ModelGenerator<tf.Tensor> {
      return yield* sample(s.name, d, options);
    };
    const scaled = () => (siteScale === 1 ? draw() : scale(siteScale, draw));
    v = m === undefined ? yield* scaled() : yield* mask(m, scaled);
  } else {
    let gen: Model<[], tf.Tensor> = function* () {
      return yield* sample(s.name, d, options);
    };
    if (siteScale !== 1) gen = scale(gen, siteScale);
    if (m !== undefined) gen = mask(gen, m);
    v = yield* gen();
  }
  if (s.role === "latent") values.set(i, v);
}
