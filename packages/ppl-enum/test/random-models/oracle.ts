/**
 * The float64 oracle: every joint assignment of every discrete latent at every
 * plate index, summed (ELBO) or maximised (MAP) in plain JS numbers.
 *
 * Pyro's TraceEnum_ELBO semantics (traceenum_elbo.py, _compute_model_factors):
 * a model-enumerated site's own log-prob enters the log-sum-exp unmasked (it
 * stays normalised, so a masked one adds no log K); a site that depends on a
 * model-enumerated variable is masked inside the log-sum-exp and scaled by the
 * one common scale outside it; every other site is scaled and masked as usual.
 * Guide-enumerated sites are an exact expectation under q. Pyro's
 * infer_discrete scores every site by its scaled and masked log-prob.
 */
import { assignments, logSumExp, normalLogPdf } from "../helpers.js";
import {
  type GuideLayout, forward, guideLayout, initOf, logAbsDetJacobian, logPrior, posteriorOf, sizesOf, summaryIndex, unconstrainedOf,
} from "./continuous.js";
import { flatIndex, pathOf, tuplesOf, type SiteSpec, type Spec } from "./spec.js";

/** The guide over the continuous latents: its params' layout, and the noise of the draw being scored (absent: AutoDelta). */
export interface ContinuousGuide {
  readonly layout: GuideLayout;
  readonly noise?: readonly number[];
}

export type Theta = Record<string, number[]>;

/** log k! for the small counts the generator draws. */
const logFactorial = (k: number) => { let s = 0; for (let i = 2; i <= k; i++) s += Math.log(i); return s; };
const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

interface Slot { readonly guide: boolean; readonly pos: number }

interface Unit {
  readonly site: SiteSpec;
  readonly kind: "enum" | "dep" | "indep";
  readonly mask: boolean;
  readonly data: number | undefined;
  readonly own: Slot | undefined;
  readonly parents: Slot[];
  readonly strides: number[];
}

/** The spec unrolled into one unit per (site, plate index). */
export class Oracle {
  readonly modelSizes: number[] = [];
  readonly guideSizes: number[] = [];
  private readonly units: Unit[] = [];
  private readonly guideUnits: { site: SiteSpec; slot: Slot }[] = [];
  private readonly slots = new Map<number, Slot[]>();
  private guideList: number[][] | undefined;
  private modelList: number[][] | undefined;
  /** The autoguide's layout, and the noise of the draw being scored (for a guide that draws). */
  private guide: ContinuousGuide;

  /** `maskEnumeratedSelf`: the naive semantics (a masked enumerated site drops out, adding log K), for the suite's self-check. */
  constructor(private readonly spec: Spec, private readonly maskEnumeratedSelf = false) {
    // an AutoDelta's params are in theta (thetaOf); a guide that draws needs its draw's noise (holdDraw)
    this.guide = { layout: guideLayout(spec.continuous ?? [], spec.autoguide ?? "delta") };
    const { plates, sites } = spec;
    const slots = this.slots;
    sites.forEach((s, i) => {
      if (s.role !== "latent") return;
      const n = tuplesOf(plates, pathOf(plates, s.node)).length;
      const sizes = s.enumerate === "guide" ? this.guideSizes : this.modelSizes;
      slots.set(i, Array.from({ length: n }, () => ({ guide: s.enumerate === "guide", pos: sizes.push(s.K) - 1 })));
    });
    sites.forEach((s, i) => {
      const path = pathOf(plates, s.node);
      const shape = [...s.parents.map((p) => sites[p]!.K), ...(s.family === "categorical" ? [s.K] : [])];
      const strides = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
      const kind = s.role === "latent" && s.enumerate === "model" ? "enum"
        : s.parents.some((p) => sites[p]!.enumerate === "model") ? "dep" : "indep";
      tuplesOf(plates, path).forEach((tuple, ti) => {
        const parents = s.parents.map((p) => {
          const pp = pathOf(plates, sites[p]!.node);
          return slots.get(p)![flatIndex(plates, pp, tuple.slice(0, pp.length))]!;
        });
        const own = slots.get(i)?.[ti];
        const mask = s.mask === undefined ? true : s.mask.kind === "false" ? false : s.mask.values[ti]!;
        this.units.push({ site: s, kind, mask, data: s.data?.[ti], own, parents, strides });
        if (own?.guide === true) this.guideUnits.push({ site: s, slot: own });
      });
    });
  }

  /** `xs`: the continuous latents' values (continuousValues), computed once per theta by the caller. */
  private logProb(u: Unit, theta: Theta, m: readonly number[], g: readonly number[], xs: readonly (readonly number[])[]): number {
    const table = theta[u.site.param]!;
    let base = 0;
    for (let j = 0; j < u.parents.length; j++) base += (u.parents[j]!.guide ? g : m)[u.parents[j]!.pos]! * u.strides[j]!;
    const value = u.own === undefined ? u.data! : (u.own.guide ? g : m)[u.own.pos]!;
    switch (u.site.family) {
      case "categorical": {
        const at = base; // the strides already count the own axis
        let mx = -Infinity;
        for (let k = 0; k < u.site.K; k++) mx = Math.max(mx, table[at + k]!);
        let sum = 0;
        for (let k = 0; k < u.site.K; k++) sum += Math.exp(table[at + k]! - mx);
        return table[at + value]! - mx - Math.log(sum);
      }
      case "bernoulli": {
        if (u.site.gated !== true) return logSigmoid(value === 1 ? table[base]! : -table[base]!);
        // p = sigmoid(t) * z with z the first parent's value: at z = 0 the value 1 is impossible
        const z = (u.parents[0]!.guide ? g : m)[u.parents[0]!.pos]!;
        const p = z / (1 + Math.exp(-table[base]!));
        return Math.log(value === 1 ? p : 1 - p);
      }
      case "normal": {
        const i = u.site.shift;
        const shift = i === undefined ? 0 : xs[i]![summaryIndex(this.spec.continuous![i]!)]!;
        return normalLogPdf(value, table[base]! + shift, u.site.sd);
      }
      case "poisson":
        return value * table[base]! - Math.exp(table[base]!) - logFactorial(value);
    }
  }

  private guideLogProb(theta: Theta, g: readonly number[]): number {
    let lq = 0;
    for (const { site, slot } of this.guideUnits) {
      const q = theta[`q_${site.name}`]!;
      lq += site.family === "categorical" ? q[g[slot.pos]!]! - logSumExp(q) : logSigmoid(g[slot.pos] === 1 ? q[0]! : -q[0]!);
    }
    return lq;
  }

  get layout(): GuideLayout {
    return this.guide.layout;
  }

  /** The noise of a draw of the guide (each latent's flat constrained value) under the params in theta: held fixed from now on. */
  holdDraw(theta: Theta, xs: readonly (readonly number[])[]): void {
    const u = unconstrainedOf(this.spec.continuous ?? [], xs);
    this.guide = { layout: this.guide.layout, noise: posteriorOf(this.guide.layout, theta).noiseOf(u) };
  }

  /** The unconstrained vector u of every continuous latent: the AutoDelta's params, or loc + A·noise. */
  private unconstrained(theta: Theta): number[] {
    const g = this.guide;
    if (g.layout.kind === "delta") return g.layout.params.flatMap((p) => [...theta[p.store]!]);
    return posteriorOf(g.layout, theta).draw(g.noise!);
  }

  /** Every continuous latent's constrained value (flat): the initial values (inferDiscrete's check), or the guide's. */
  continuousValues(theta: Theta): number[][] {
    const cs = this.spec.continuous ?? [];
    if (cs.length === 0) return [];
    if (this.spec.continuousFixed === true) return cs.map(initOf);
    const u = this.unconstrained(theta);
    const out: number[][] = [];
    const offsets = this.guide.layout.offsets;
    cs.forEach((c, i) => {
      const ui = u.slice(offsets[i], offsets[i]! + sizesOf(c).unconstrained);
      out.push(forward(c, ui, c.bound === undefined ? Number.NaN : out[c.bound]![0]!));
    });
    return out;
  }

  /**
   * The continuous latents' part of the ELBO: the prior log-densities (scaled by the model's scale), and for a
   * guide that draws, Σ log|det J| - log q(u) (the AutoDelta adds log q = 0).
   */
  private continuousPart(theta: Theta): number {
    const cs = this.spec.continuous ?? [];
    if (cs.length === 0) return 0;
    const xs = this.continuousValues(theta);
    const bound = (i: number) => (cs[i]!.bound === undefined ? Number.NaN : xs[cs[i]!.bound!]![0]!);
    let total = this.spec.modelScale * cs.reduce((s, c, i) => s + logPrior(c, xs[i]!, bound(i)), 0);
    if (this.spec.continuousFixed === true || this.guide.layout.kind === "delta") return total;
    const u = this.unconstrained(theta);
    const offsets = this.guide.layout.offsets;
    cs.forEach((c, i) => (total += logAbsDetJacobian(c, u.slice(offsets[i], offsets[i]! + sizesOf(c).unconstrained), bound(i))));
    return total - posteriorOf(this.guide.layout, theta).logDensity(u);
  }

  /** The ELBO (the negative of TraceEnumELBO's loss). */
  elbo(theta: Theta): number {
    return this.elboFrom(theta, this.terms(theta, this.units));
  }

  /**
   * The parts of the ELBO that `units` contribute: per guide assignment, the
   * log-sum-exp's summand at every model assignment and the ordinary costs.
   */
  private terms(theta: Theta, units: readonly Unit[]): { inner: Float64Array[]; indep: Float64Array } {
    const s = this.spec.modelScale;
    const guides = (this.guideList ??= [...assignments(this.guideSizes)]);
    const models = (this.modelList ??= [...assignments(this.modelSizes)]);
    const indep = new Float64Array(guides.length);
    const xs = this.continuousValues(theta);
    const inner = guides.map((g, gi) => {
      for (const u of units) if (u.kind === "indep" && u.mask) indep[gi]! += s * u.site.scale * this.logProb(u, theta, [], g, xs);
      const row = new Float64Array(models.length);
      models.forEach((m, mi) => {
        let lp = 0;
        for (const u of units) {
          if ((u.kind === "enum" && (u.mask || !this.maskEnumeratedSelf)) || (u.kind === "dep" && u.mask)) lp += this.logProb(u, theta, m, g, xs);
        }
        row[mi] = lp;
      });
      return row;
    });
    return { inner, indep };
  }

  private elboFrom(theta: Theta, t: { inner: Float64Array[]; indep: Float64Array }): number {
    let total = this.continuousPart(theta);
    (this.guideList ??= [...assignments(this.guideSizes)]).forEach((g, gi) => {
      const lq = this.guideLogProb(theta, g);
      total += Math.exp(lq) * (this.spec.modelScale * logSumExp([...t.inner[gi]!]) + t.indep[gi]! - lq);
    });
    return total;
  }

  /**
   * Central finite differences of the ELBO w.r.t. every param entry (float64, so a small step is
   * fine). Only the units that read a param are recomputed when it moves.
   */
  gradient(theta: Theta, eps = 1e-5): Theta {
    const full = this.terms(theta, this.units);
    const out: Theta = {};
    const guideParams = this.guide.layout.params ?? [];
    for (const [name, values] of Object.entries(theta)) {
      const role = guideParams.find((p) => p.store === name)?.role;
      // the low-rank guide's noise is u - loc (ppl's own noise has D + rank entries): only loc moves u with it held fixed
      if (this.guide.layout.kind === "lowRank" && role !== undefined && role !== "loc") continue;
      const users = this.units.filter((u) => (role === undefined ? u.site.param === name : u.site.shift !== undefined));
      const moved = this.withMoved(theta, full, users);
      out[name] = values.map((v, i) => {
        const at = (d: number) => {
          values[i] = v + d;
          const e = moved(users);
          values[i] = v;
          return e;
        };
        return (at(eps) - at(-eps)) / (2 * eps);
      });
    }
    return out;
  }

  /**
   * The ELBO with `users` recomputed (as `changed`) and every other unit as in `full`: full minus the
   * users' old terms plus their new ones, or, where a term is -Infinity (an impossible assignment,
   * which no subtraction can take back out), the other units' terms computed afresh.
   */
  private withMoved(theta: Theta, full: { inner: Float64Array[]; indep: Float64Array }, users: readonly Unit[]): (changed: readonly Unit[]) => number {
    const hasInf = full.inner.some((row) => row.some((x) => x === -Infinity)) || full.indep.some((x) => x === -Infinity);
    const before = hasInf ? undefined : this.terms(theta, users);
    const rest = hasInf ? this.terms(theta, this.units.filter((u) => !users.includes(u))) : undefined;
    return (changed) => {
      const after = this.terms(theta, changed);
      const base = rest ?? full;
      const sign = rest === undefined ? 1 : 0;
      return this.elboFrom(theta, {
        inner: base.inner.map((row, gi) => row.map((x, mi) => x - (sign === 1 ? before!.inner[gi]![mi]! : 0) + after.inner[gi]![mi]!)),
        indep: base.indep.map((x, gi) => x - (sign === 1 ? before!.indep[gi]! : 0) + after.indep[gi]!),
      });
    };
  }

  /**
   * Central finite differences of the ELBO w.r.t. every Normal observation's value, per site, one
   * entry per index of its plates (row-major), as the values are differentiated in ppl.
   */
  dataGradient(theta: Theta, eps = 1e-5): Record<string, number[]> {
    const full = this.terms(theta, this.units);
    const out: Record<string, number[]> = {};
    for (const u of this.units) {
      if (u.site.role !== "obs" || u.site.family !== "normal") continue;
      const moved = this.withMoved(theta, full, [u]);
      const at = (d: number) => moved([{ ...u, data: u.data! + d }]);
      (out[u.site.name] ??= []).push((at(eps) - at(-eps)) / (2 * eps));
    }
    return out;
  }

  /** infer_discrete's objective: every site's masked, unscaled log-prob (Pyro's masked_log_prob; all latents model-enumerated). */
  mapObjective(theta: Theta, m: readonly number[]): number {
    let lp = this.continuousPart(theta);
    const xs = this.continuousValues(theta);
    for (const u of this.units) if (u.mask) lp += this.logProb(u, theta, m, [], xs);
    return lp;
  }

  maxObjective(theta: Theta): number {
    let best = -Infinity;
    for (const m of (this.modelList ??= [...assignments(this.modelSizes)])) best = Math.max(best, this.mapObjective(theta, m));
    return best;
  }

  /** Position in the model assignment of (latent site, plate index). */
  modelSlot(siteIndex: number, tupleIndex: number): number {
    return this.slots.get(siteIndex)![tupleIndex]!.pos;
  }
}

/** The spec's param tables, and an AutoDelta's unconstrained initial values (a drawing guide's params join once ppl has made them). */
export function thetaOf(spec: Spec): Theta {
  const theta: Theta = Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, [...v.values]]));
  const cs = spec.continuous ?? [];
  if ((spec.autoguide ?? "delta") === "delta") {
    const layout = guideLayout(cs, "delta");
    const u = unconstrainedOf(cs, cs.map(initOf));
    layout.params.forEach((p, i) => (theta[p.store] = u.slice(layout.offsets[i], layout.offsets[i]! + sizesOf(cs[i]!).unconstrained)));
  }
  return theta;
}
