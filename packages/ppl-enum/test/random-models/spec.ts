/**
 * The description ("spec") of one small random model, and a seeded generator
 * of specs. Both the ppl model (build.ts) and the float64 oracle (oracle.ts)
 * are built from a spec, so a failing case replays from its seed alone.
 *
 * Sites are listed unrolled (a markov chain's steps are ordinary sites with a
 * `step`), in program order. Parents are indices of earlier latent sites.
 */

import { makeRng } from "ppl-core";
export type LatentFamily = "categorical" | "bernoulli";
export type ObsFamily = "normal" | "bernoulli" | "categorical" | "poisson";

export interface PlateSpec {
  readonly name: string;
  readonly size: number;
  /** Index of the enclosing plate, or null for a plate at the top level. */
  readonly parent: number | null;
  /** The dim given to plate(...), or undefined for an automatic dim. */
  readonly explicitDim: number | undefined;
  /** The dim the plate ends up at (explicit, or the first one its enclosing plates leave free). */
  readonly dim: number;
}

/** A mask: `false` (the whole site), or a tensor varying along some of the site's plates. */
export type MaskSpec =
  | { readonly kind: "false" }
  | { readonly kind: "tensor"; /** plates the tensor varies along */ readonly plates: number[]; /** one flag per index of the site (row-major over its plates) */ readonly values: boolean[] };

export interface SiteSpec {
  readonly name: string;
  readonly role: "latent" | "obs";
  readonly family: LatentFamily | ObsFamily;
  /** Number of values (categorical), 2 for Bernoulli. */
  readonly K: number;
  /** The innermost plate the site is in (null: none). */
  readonly node: number | null;
  readonly parents: number[];
  /** The param table: shape [K of each parent..., K] for a categorical, [K of each parent...] otherwise. */
  readonly param: string;
  /** Latents: enumerated in the model or in the guide. */
  readonly enumerate?: "model" | "guide";
  /** Categorical/Bernoulli parameterised through probs (softmax/sigmoid) or logits. */
  readonly viaLogits: boolean;
  readonly mask?: MaskSpec;
  /** An extra scale on this site alone (only on sites that depend on no model-enumerated variable). */
  readonly scale: number;
  /** Normal observations: the standard deviation. */
  readonly sd: number;
  /** Observed values, one per index of the site (row-major over its plates). */
  readonly data?: number[];
  /** mask/scale written as blocks (`yield* mask(m, function* () {...})`) rather than model transformers. */
  readonly blockForm?: boolean;
  /** Enumerated one run per value (Pyro's "sequential") rather than in parallel. */
  readonly sequential?: boolean;
  /** Markov chains: the chain's index and the step. */
  readonly chain?: { readonly id: number; readonly step: number };
  /** Observed values given through condition(model, {...}) instead of `obs`. */
  readonly conditioned?: boolean;
  /** A Bernoulli observation whose probability is multiplied by its first parent's value (0 or 1): `p * z` reaches 0. */
  readonly gated?: boolean;
  /** A Categorical given unnormalised probs (exp of its table) instead of softmax or logits. */
  readonly unnormalised?: boolean;
  /** Normal observations: the index of a continuous latent added to the location. */
  readonly shift?: number;
}

/**
 * A continuous global latent's prior, by its support: real (normal), positive (halfnormal, lognormal, exponential,
 * gamma), the unit interval (beta), a finite interval (uniform), intervals with one infinite end (TruncatedNormal with
 * high = Infinity: lowerBounded; with low = -Infinity: upperBounded), an interval whose upper end is an earlier positive
 * latent (dependent: Uniform(0, a)), the simplex (dirichlet, K = 3) and correlation Cholesky factors (lkj, 3 x 3).
 */
export type ContinuousPrior =
  | "normal" | "halfnormal" | "lognormal" | "exponential" | "gamma" | "beta" | "uniform"
  | "lowerBounded" | "upperBounded" | "dependent" | "dirichlet" | "lkj";

export interface ContinuousSpec {
  readonly name: string;
  readonly prior: ContinuousPrior;
  /** The initial (constrained) value: a number, or the flat event of a simplex / Cholesky factor (row-major). */
  readonly init: number | readonly number[];
  /** "dependent": the index (in `continuous`) of the earlier positive latent that is the upper end of its interval. */
  readonly bound?: number;
}

/** The autoguide over the continuous latents (absent: AutoDelta). */
export type AutoguideKind = "delta" | "normal" | "diagonal" | "multivariate" | "lowRank";

export interface ChainSpec {
  readonly name: string;
  readonly T: number;
  readonly history: 1 | 2;
  readonly node: number | null;
  /** Latents per step (2: a factorial chain). */
  readonly width: number;
}

export interface Spec {
  readonly seed: number;
  readonly plates: PlateSpec[];
  readonly sites: SiteSpec[];
  readonly chains: ChainSpec[];
  /** Unconstrained values of every param (model tables p_*, guide tables q_*), float32-rounded. */
  readonly params: Record<string, { shape: number[]; values: number[] }>;
  /** One scale on the whole model (the common scale of the enumeration-dependent sites). */
  readonly modelScale: number;
  /** maxPlateNesting given to TraceEnumELBO, or undefined to let it infer it. */
  readonly maxPlateNesting: number | undefined;
  /** Continuous global latents sampled first (absent in older recorded cases: none). */
  readonly continuous?: ContinuousSpec[];
  /** The continuous latents are observed at their initial values (inferDiscrete's check) instead of learned. */
  readonly continuousFixed?: boolean;
  /** The autoguide that learns the continuous latents (absent: AutoDelta). */
  readonly autoguide?: AutoguideKind;
  /** Params read inside `block(…, { hideTypes: ["param"] })` (model tables p_*, guide tables q_*): SVI must not move them. */
  readonly hidden?: readonly string[];
}

export interface Features {
  /** 0..3 plates. */
  readonly maxPlates: number;
  readonly nestedPlates: boolean;
  readonly explicitDims: boolean;
  readonly autoDims: boolean;
  /** 1..4 plain enumerated sites. */
  readonly maxLatents: number;
  readonly bernoulliLatents: boolean;
  readonly obsFamilies: readonly ObsFamily[];
  /** Masks on observed sites (and guide-enumerated sites' model side). */
  readonly masks: boolean;
  /** Masks on model-enumerated sites. */
  readonly masksOnEnumerated: boolean;
  /** Some masks and scales written in the block form. */
  readonly blockHandlers: boolean;
  /** Tensor masks (else only `mask(..., false)`). */
  readonly tensorMasks: boolean;
  readonly scales: boolean;
  readonly markov: boolean;
  readonly history2: boolean;
  /** Two latents per markov step. */
  readonly factorialChains: boolean;
  /** Up to this many markov loops, one after the other (they recycle the same dims). */
  readonly maxChains: number;
  readonly guideEnum: boolean;
  /** Some plain enumerated sites (model or guide) marked "sequential". */
  readonly sequentialEnum: boolean;
  /** ... also inside plates. */
  readonly sequentialInPlates: boolean;
  /** ... also on masked sites. */
  readonly sequentialMasks: boolean;
  /** Guide-enumerated sites inside plates (else only outside every plate). */
  readonly guideEnumInPlates: boolean;
  /** inferDiscrete checked with the masks on latent sites kept (else dropped for the MAP check only). */
  readonly mapLatentMasks: boolean;
  readonly givenMaxPlateNesting: boolean;
  /** Bound on maxPlateNesting + number of enumerated dims (tensor rank of the enumerated factors). */
  readonly maxRank: number;
  /** Bound on the number of joint assignments the oracle sums over. */
  readonly maxJoint: number;
  /** The loss's gradient w.r.t. every Normal observation's value is checked too (its values are differentiated). */
  readonly valueGradients: boolean;
  /** Some observations given by condition(model, ...) rather than `obs`. */
  readonly conditioned: boolean;
  /** Bernoulli observations with probability p * z, z an enumerated 0/1 parent (needs probability clamps in every family). */
  readonly gatedProbs: boolean;
  /** Categoricals given unnormalised probs (needs Categorical to normalise probs, as torch does). */
  readonly unnormalisedProbs: boolean;
  /** 0..2 continuous global latents (real, positive and unit-interval supports) under an AutoDelta. */
  readonly continuousLatents: boolean;
  /** ... also Uniform(-1, 2) priors: an interval other than (0, 1) (needs interval transforms that own their tensors). */
  readonly intervalLatents: boolean;
  /** ... also intervals with an infinite end, dependent intervals (Uniform(0, a)), simplex (Dirichlet) and correlation-Cholesky (LKJCholesky) latents. */
  readonly constrainedLatents: boolean;
  /** The continuous latents under AutoNormal, AutoDiagonalNormal, AutoMultivariateNormal or AutoLowRankMultivariateNormal as well as AutoDelta. */
  readonly autoguides: boolean;
  /** Some params hidden by block(…, { hideTypes: ["param"] }); an SVI step is checked to leave them unchanged. */
  readonly hiddenParams: boolean;
  /** Some models with 5–8 binary enumerated sites (ranks up to maxRank). */
  readonly manyLatents: boolean;
}

export const ALL_FEATURES: Features = {
  maxPlates: 3, nestedPlates: true, explicitDims: true, autoDims: true,
  maxLatents: 4, bernoulliLatents: true, obsFamilies: ["normal", "bernoulli", "categorical", "poisson"],
  masks: true, masksOnEnumerated: true, tensorMasks: true, scales: true, blockHandlers: true,
  markov: true, history2: true, factorialChains: true, maxChains: 2, guideEnum: true, sequentialEnum: true, sequentialInPlates: true, sequentialMasks: true, guideEnumInPlates: true, mapLatentMasks: true, givenMaxPlateNesting: true,
  maxRank: 10, maxJoint: 4096, valueGradients: true, conditioned: true, gatedProbs: true, unnormalisedProbs: true,
  continuousLatents: true, intervalLatents: true, constrainedLatents: true, autoguides: true, hiddenParams: true, manyLatents: true,
};

/** Seeded uniforms in [0, 1): ppl-core's mulberry32, the seed spread so neighbouring seeds start far apart. */
export function makeRandom(seed: number): () => number {
  return makeRng((seed * 2654435761 + 0x9e3779b9) >>> 0);
}

/** Plate indices from the outermost to `node`. */
export function pathOf(plates: readonly PlateSpec[], node: number | null): number[] {
  const path: number[] = [];
  for (let p = node; p !== null; p = plates[p]!.parent) path.unshift(p);
  return path;
}

/** Every index tuple of the plates in `path` (row-major). */
export function tuplesOf(plates: readonly PlateSpec[], path: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const p of path) out = out.flatMap((t) => Array.from({ length: plates[p]!.size }, (_, i) => [...t, i]));
  return out;
}

/** Row-major position of a tuple over `path`. */
export function flatIndex(plates: readonly PlateSpec[], path: readonly number[], tuple: readonly number[]): number {
  let k = 0;
  path.forEach((p, i) => (k = k * plates[p]!.size + tuple[i]!));
  return k;
}

const isAncestorOrSelf = (plates: readonly PlateSpec[], a: number | null, b: number | null) =>
  a === null || pathOf(plates, b).includes(a);

export function paramShape(spec: Pick<Spec, "sites">, site: SiteSpec): number[] {
  const own = site.family === "categorical" ? [site.K] : [];
  return [...site.parents.map((p) => spec.sites[p]!.K), ...own];
}

/** Sizes of the model-enumerated and guide-enumerated joints (the oracle sums over their product). */
export function jointSizes(spec: Pick<Spec, "plates" | "sites">): { model: number; guide: number } {
  let model = 1;
  let guide = 1;
  for (const s of spec.sites) {
    if (s.role !== "latent") continue;
    const n = s.K ** tuplesOf(spec.plates, pathOf(spec.plates, s.node)).length;
    if (s.enumerate === "guide") guide *= n;
    else model *= n;
  }
  return { model, guide };
}

/** The smallest maxPlateNesting the model needs: the leftmost dim of a plate that holds a site. */
export function neededPlateNesting(spec: Pick<Spec, "plates" | "sites">): number {
  let n = 0;
  for (const s of spec.sites) for (const p of pathOf(spec.plates, s.node)) n = Math.max(n, -spec.plates[p]!.dim);
  return n;
}

/** How many enumerated dims can be live at once: every plain enumerated site, and history + 1 per chain. */
function enumDims(spec: Pick<Spec, "sites" | "chains">): number {
  const plain = spec.sites.filter((s) => s.role === "latent" && s.chain === undefined).length;
  return plain + spec.chains.reduce((n, c) => n + c.width * Math.min(c.T, c.history + 1), 0);
}

/** The rank of the enumerated factors: maxPlateNesting plus the enumerated dims live at once. */
export function rankOf(spec: Pick<Spec, "plates" | "sites" | "chains" | "maxPlateNesting">): number {
  return (spec.maxPlateNesting ?? neededPlateNesting(spec)) + enumDims(spec);
}

/** A random spec; resamples (from the same stream) until it fits the size and rank bounds. */
export function generateSpec(seed: number, f: Features): Spec {
  const rand = makeRandom(seed);
  for (let attempt = 0; attempt < 200; attempt++) {
    const spec = tryGenerate(seed, rand, f);
    const { model, guide } = jointSizes(spec);
    if (model * guide > f.maxJoint) continue;
    if (rankOf(spec) > f.maxRank) continue;
    return spec;
  }
  throw new Error(`seed ${seed}: no spec within the bounds after 200 attempts`);
}

function tryGenerate(seed: number, rand: () => number, f: Features): Spec {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number) => rand() < p;
  const f32 = (x: number) => Math.fround(x);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  const plates: PlateSpec[] = [];
  const nPlates = int(0, f.maxPlates);
  for (let i = 0; i < nPlates; i++) {
    const parent = f.nestedPlates && i > 0 && chance(0.5) ? int(0, i - 1) : null;
    const taken = pathOf(plates, parent).map((p) => plates[p]!.dim);
    const explicit = f.explicitDims && (!f.autoDims || chance(0.5));
    let dim: number;
    if (explicit) {
      const free = [-1, -2, -3].filter((d) => !taken.includes(d));
      dim = pick(free);
    } else {
      dim = -1;
      while (taken.includes(dim)) dim--;
    }
    plates.push({ name: `p${i}`, size: chance(0.7) ? 2 : 3, parent, explicitDim: explicit ? dim : undefined, dim });
  }
  const nodes: (number | null)[] = [null, ...plates.map((_, i) => i)];

  const priors: ContinuousPrior[] = [
    "normal", "halfnormal", "lognormal", "exponential", "gamma", "beta", ...(f.intervalLatents ? ["uniform" as const] : []),
    ...(f.constrainedLatents ? ["lowerBounded", "upperBounded", "dependent", "dirichlet", "lkj"] as const : []),
  ];
  const continuous: ContinuousSpec[] = [];
  const nContinuous = !f.continuousLatents ? 0 : int(0, 2);
  const push = (prior: ContinuousPrior, bound: number) =>
    continuous.push({ name: `u${continuous.length}`, prior, init: initialValue(prior, normal(), () => normal(), continuous[bound]), ...(prior === "dependent" ? { bound } : {}) });
  for (let i = 0; i < nContinuous; i++) {
    const prior = pick(priors);
    // Uniform(0, a) needs a positive latent a before it: one is added first if there is none
    if (prior === "dependent" && !continuous.some((c) => POSITIVE.has(c.prior))) push(pick([...POSITIVE]), -1);
    push(prior, continuous.findIndex((c) => POSITIVE.has(c.prior)));
  }
  const autoguide: AutoguideKind = f.autoguides && continuous.length > 0 ? pick(["delta", "normal", "diagonal", "multivariate", "lowRank"] as const) : "delta";

  const sites: SiteSpec[] = [];
  const chains: ChainSpec[] = [];
  const mask = (node: number | null, allowed: boolean): MaskSpec | undefined => {
    if (!allowed || !chance(0.35)) return undefined;
    const path = pathOf(plates, node);
    if (!f.tensorMasks || chance(0.2)) return { kind: "false" };
    const varying = path.filter(() => chance(0.7));
    const sub = tuplesOf(plates, varying).map(() => chance(0.6));
    const values = tuplesOf(plates, path).map((t) => sub[flatIndex(plates, varying, varying.map((p) => t[path.indexOf(p)]!))]!);
    return { kind: "tensor", plates: varying, values };
  };
  const visible = (node: number | null, pool: number[]) =>
    pool.filter((i) => isAncestorOrSelf(plates, sites[i]!.node, node));
  const subset = (xs: number[], p: number, max: number) => xs.filter(() => chance(p)).slice(0, max);
  const latentIdx = () => sites.flatMap((s, i) => (s.role === "latent" && s.chain === undefined ? [i] : []));
  const nChains = !f.markov || !chance(0.45) ? 0 : f.maxChains > 1 && chance(0.4) ? 2 : 1;

  // many: 5–8 binary sites, outside plates or in one plate of 2, so the joint stays small while the rank reaches 7–10
  const many = nChains === 0 && f.manyLatents && chance(0.15);
  const nLatents = many ? int(5, 8) : nChains > 0 ? int(0, Math.min(2, f.maxLatents)) : int(1, f.maxLatents);
  for (let i = 0; i < nLatents; i++) {
    const node = many ? (chance(0.8) ? null : pick(nodes)) : pick(nodes);
    const bern = f.bernoulliLatents && chance(0.3);
    let enumerate: "model" | "guide" = f.guideEnum && chance(0.3) && (f.guideEnumInPlates || node === null) ? "guide" : "model";
    const pool = visible(node, latentIdx()).filter((j) => enumerate === "model" || sites[j]!.enumerate === "guide");
    const parents = subset(pool, 0.5, 2);
    // the guide's enumerated sites get their own q (no parents in the guide); a model-enumerated parent would need one
    if (enumerate === "guide" && parents.some((j) => sites[j]!.enumerate !== "guide")) enumerate = "model";
    const viaLogits = chance(0.5);
    sites.push({
      name: `z${i}`, role: "latent", family: bern ? "bernoulli" : "categorical", K: bern || many ? 2 : int(2, 3), node, parents,
      param: `p_z${i}`, enumerate, viaLogits, scale: 1, sd: 1,
      ...withMask(mask(node, enumerate === "model" ? f.masksOnEnumerated : f.masks)),
      ...(f.unnormalisedProbs && !bern && !viaLogits && chance(0.5) ? { unnormalised: true } : {}),
    });
  }

  const obsSite = (name: string, node: number | null, parents: number[], family: ObsFamily, param: string, chain?: { id: number; step: number }, fixedK?: number): SiteSpec => {
    const K = fixedK ?? (family === "categorical" ? int(2, 3) : family === "bernoulli" ? 2 : 1);
    const n = tuplesOf(plates, pathOf(plates, node)).length;
    const data = Array.from({ length: n }, () =>
      family === "normal" ? f32(1.5 * normal()) : family === "poisson" ? int(0, 4) : int(0, K - 1));
    const dependsOnModelEnum = parents.some((p) => sites[p]!.enumerate === "model");
    const m = mask(node, f.masks);
    // p * z: the first parent's value (0 or 1) multiplies the probability, so it reaches 0 exactly; a
    // model-enumerated parent (a guide's draw of z = 0 under data 1 would make the whole ELBO -Infinity)
    const first = parents.length > 0 ? sites[parents[0]!]! : undefined;
    const gated = f.gatedProbs && family === "bernoulli" && first?.K === 2 && first.enumerate === "model" && chance(0.5);
    const viaLogits = !gated && chance(0.5);
    return {
      name, role: "obs", family, K, node, parents, param, viaLogits,
      scale: f.scales && !dependsOnModelEnum && chance(0.3) ? pick([0.3, 2, 4]) : 1,
      sd: pick([0.7, 1, 1.3]), data, ...(m === undefined ? {} : { mask: m }), ...(chain === undefined ? {} : { chain }),
      ...(f.conditioned && chance(0.3) ? { conditioned: true } : {}),
      ...(family === "normal" && continuous.length > 0 && chance(0.7) ? { shift: int(0, continuous.length - 1) } : {}),
      ...(gated ? { gated: true } : {}),
      ...(f.unnormalisedProbs && family === "categorical" && !viaLogits && chance(0.5) ? { unnormalised: true } : {}),
    };
  };

  for (let id = 0; id < nChains; id++) {
    const node = pick(nodes);
    const history: 1 | 2 = f.history2 && chance(0.5) ? 2 : 1;
    const T = int(2, history === 2 ? 4 : 3);
    // width 2: a factorial step (hmm.py's model_3), the second chain optionally reading the first (model_4)
    const width = f.factorialChains && chance(0.5) ? 2 : 1;
    const coupled = width === 2 && chance(0.5);
    const name = `c${id}`;
    const extra = subset(visible(node, latentIdx()).filter((j) => sites[j]!.enumerate === "model"), 0.4, 1);
    const family = pick(f.obsFamilies);
    const obsK = family === "categorical" ? int(2, 3) : family === "bernoulli" ? 2 : 1;
    const lanes = width === 1 ? [""] : ["a", "b"];
    const zs: number[][] = lanes.map(() => []);
    for (let t = 0; t < T; t++) {
      const stepMask = mask(node, f.masksOnEnumerated);
      const table = t === 0 ? "init" : history === 1 ? "trans" : t === 1 ? "trans1" : "trans2";
      const now: number[] = [];
      lanes.forEach((lane, l) => {
        const prev = history === 2 ? zs[l]!.slice(-2) : zs[l]!.slice(-1);
        const cross = l === 1 && coupled ? [now[0]!] : [];
        sites.push({
          name: `${name}${lane}_${t}`, role: "latent", family: "categorical", K: 2, node, parents: [...extra, ...cross, ...prev],
          param: `p_${name}${lane}_${table}`, enumerate: "model", viaLogits: false, scale: 1, sd: 1, chain: { id, step: t },
          ...(stepMask === undefined ? {} : { mask: stepMask }),
        });
        now.push(sites.length - 1);
      });
      now.forEach((z, l) => zs[l]!.push(z));
      const y = obsSite(`${name}y_${t}`, node, [...extra, ...now], family, `p_${name}_emit`, { id, step: t }, obsK);
      // hmm.py's idiom: one mask around the step's latent and its observation
      sites.push(stepMask === undefined || !f.masks ? y : { ...y, mask: stepMask });
    }
    chains.push({ name, T, history, node, width });
  }
  // Pyro's rule (_check_model_guide_enumeration_constraint): every model-enumerated site lies in every plate of
  // every guide-enumerated site; a guide-enumerated site that would break it becomes model-enumerated
  for (;;) {
    const modelPaths = sites.filter((o) => o.role === "latent" && o.enumerate === "model").map((o) => pathOf(plates, o.node));
    const i = sites.findIndex((s) => s.enumerate === "guide" && pathOf(plates, s.node).some((p) => modelPaths.some((mp) => !mp.includes(p))));
    if (i < 0) break;
    const s = sites[i]!;
    sites[i] = { ...unmasked(s), enumerate: "model" };
    // its children that were guide-enumerated keep a guide-enumerated parent only: re-check them on the next pass
    for (let j = i + 1; j < sites.length; j++) {
      const c = sites[j]!;
      if (c.enumerate === "guide" && c.parents.includes(i)) sites[j] = { ...unmasked(c), enumerate: "model" };
    }
  }

  const nObs = int(1, 3);
  // a chain's variables are out of scope after its markov loop (their dims are recycled): plain latents only
  const pool = latentIdx();
  for (let i = 0; i < nObs; i++) {
    const node = pick(nodes);
    const parents = subset(visible(node, pool), 0.5, 3);
    const family = pick(f.obsFamilies);
    sites.push(obsSite(`x${i}`, node, parents, family, `p_x${i}`));
  }

  if (f.sequentialEnum) {
    for (let i = 0; i < sites.length; i++) {
      const x = sites[i]!;
      if (x.role !== "latent" || x.chain !== undefined || (x.node !== null && !f.sequentialInPlates)) continue;
      if (x.mask !== undefined && !f.sequentialMasks) continue;
      if (chance(0.25)) sites[i] = { ...x, sequential: true };
    }
  }
  if (f.blockHandlers) {
    for (let i = 0; i < sites.length; i++) if (chance(0.5)) sites[i] = { ...sites[i]!, blockForm: true };
  }
  const params: Spec["params"] = {};
  for (const s of sites) {
    if (params[s.param] !== undefined) continue;
    const shape = paramShape({ sites }, s);
    const n = shape.reduce((a, b) => a * b, 1);
    params[s.param] = { shape, values: Array.from({ length: n }, () => f32(0.8 * normal())) };
  }
  for (const s of sites) {
    if (s.enumerate !== "guide") continue;
    const shape = s.family === "categorical" ? [s.K] : [];
    params[`q_${s.name}`] = { shape, values: Array.from({ length: s.K === 2 && s.family === "bernoulli" ? 1 : s.K }, () => f32(0.8 * normal())) };
  }
  // hidden: a model table (every site that reads it reads it inside block) or a guide-enumerated site's q
  // (at least one param stays visible when no autoguide has params of its own: SVI refuses a model with nothing to learn)
  const names = Object.keys(params);
  const hidden = f.hiddenParams && chance(0.3) ? subset(names.map((_, i) => i), 0.4, Math.min(2, names.length - (continuous.length > 0 ? 0 : 1))).map((i) => names[i]!) : [];
  const spec0 = { plates, sites };
  const needed = neededPlateNesting(spec0);
  return {
    seed, plates, sites, chains, params, continuous,
    ...(autoguide === "delta" ? {} : { autoguide }),
    ...(hidden.length === 0 ? {} : { hidden }),
    modelScale: f.scales && chance(0.4) ? pick([0.5, 2.5, 3]) : 1,
    maxPlateNesting: f.givenMaxPlateNesting && chance(0.5) ? needed + int(0, 1) : undefined,
  };
}

/** The priors whose support is positive (the upper end a dependent interval may take). */
const POSITIVE: ReadonlySet<ContinuousPrior> = new Set(["halfnormal", "lognormal", "exponential", "gamma"]);

/** A latent's initial constrained value, from the normal draw x (and more draws for an event): near the prior's bulk. */
function initialValue(prior: ContinuousPrior, x: number, normal: () => number, bound: ContinuousSpec | undefined): number | number[] {
  const f32 = Math.fround;
  const sig = (t: number) => 1 / (1 + Math.exp(-t));
  switch (prior) {
    case "normal": return f32(0.8 * x);
    case "beta": return f32(sig(x));
    case "uniform": return f32(-1 + 3 * sig(x));
    case "lowerBounded": return f32(-1 + Math.exp(0.5 * x));
    case "upperBounded": return f32(1 - Math.exp(0.5 * x));
    case "dependent": return f32((bound!.init as number) * sig(x));
    case "dirichlet": {
      const e = [x, normal(), normal()].map((t) => Math.exp(0.5 * t));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((t) => f32(t / total));
    }
    case "lkj": return lkjInit([x, normal(), normal()].map((t) => 0.5 * t)).map(f32);
    default: return f32(Math.exp(0.5 * x));
  }
}

/** A 3 x 3 correlation Cholesky factor (row-major) from three reals: tanh of each, then rows of unit norm. */
function lkjInit(t: readonly number[]): number[] {
  const [a, b, c] = t.map(Math.tanh) as [number, number, number];
  const r2 = Math.sqrt(1 - b * b);
  return [1, 0, 0, a, Math.sqrt(1 - a * a), 0, b, c * r2, Math.sqrt(1 - b * b - c * c * r2 * r2)];
}

const withMask = (m: MaskSpec | undefined) => (m === undefined ? {} : { mask: m });

/** The site without its mask (a guide-side mask does not carry over when the site moves to the model). */
function unmasked(s: SiteSpec): SiteSpec {
  const { mask: _dropped, ...rest } = s;
  return rest;
}

/** The spec for inferDiscrete: every latent enumerated in the model, so no site-only scale on a site with latent parents. */
export function mapSpecOf(spec: Spec, keepLatentMasks: boolean): Spec {
  const sites = spec.sites.map((s): SiteSpec => {
    // inferDiscrete decodes parallel sites only (as Pyro's infer_discrete)
    const t: SiteSpec = { ...s, ...(s.role === "latent" ? { enumerate: "model" as const, sequential: false } : {}), scale: s.parents.length > 0 ? 1 : s.scale };
    if (s.role !== "latent" || keepLatentMasks || t.mask === undefined) return t;
    const { mask: _dropped, ...rest } = t;
    return rest;
  });
  return { ...spec, sites, continuousFixed: true };
}
