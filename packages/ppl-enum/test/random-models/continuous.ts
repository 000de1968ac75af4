/**
 * The continuous latents in float64, written out by hand from Pyro's
 * definitions (torch.distributions.transforms, biject_to, the families'
 * log_prob), independently of ppl: each support's bijection from the
 * unconstrained reals with its log|det J|, each prior's log-density, and the
 * autoguides' densities over the unconstrained vector u (every latent's
 * coordinates, in model order) with the maps from the param store's
 * unconstrained values to loc / scale / scale_tril / cov_factor.
 */
import { LOG_2PI, normalLogPdf } from "../helpers.js";
import type { AutoguideKind, ContinuousSpec } from "./spec.js";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const LOG_PI = Math.log(Math.PI);
/** lgamma at the half-integers and integers the priors use: Γ(1.5) = √π/2, Γ(2.5) = 3√π/4, Γ(6) = 120. */
const LGAMMA_1_5 = Math.log(Math.sqrt(Math.PI) / 2);
const LGAMMA_2_5 = Math.log((3 * Math.sqrt(Math.PI)) / 4);
/** Φ(1): the standard normal's mass below 1, and (by symmetry) above -1. */
const PHI_1 = 0.8413447460685429;
/** Dirichlet([1.5, 2, 2.5]). */
const DIRICHLET_ALPHA = [1.5, 2, 2.5];
/** LKJCholesky(3, 1.5). */
const LKJ_ETA = 1.5;

/** How many numbers the constrained value holds (flat, row-major) and how many unconstrained coordinates map onto it. */
export function sizesOf(c: ContinuousSpec): { constrained: number; unconstrained: number } {
  return c.prior === "dirichlet" ? { constrained: 3, unconstrained: 2 } : c.prior === "lkj" ? { constrained: 9, unconstrained: 3 } : { constrained: 1, unconstrained: 1 };
}

/** The constrained value's shape (the event). */
export function shapeOf(c: ContinuousSpec): number[] {
  return c.prior === "dirichlet" ? [3] : c.prior === "lkj" ? [3, 3] : [];
}

/** The flat initial value. */
export function initOf(c: ContinuousSpec): number[] {
  return typeof c.init === "number" ? [c.init] : [...c.init];
}

/** The number a Normal observation's location is shifted by: the value, a simplex's first weight, a factor's L[1, 0]. */
export function summaryIndex(c: ContinuousSpec): number {
  return c.prior === "lkj" ? 3 : 0;
}

/** biject_to(support) applied to u; `bound` is the upper end of a dependent interval (the other latent's value). */
export function forward(c: ContinuousSpec, u: readonly number[], bound: number): number[] {
  const x = u[0]!;
  switch (c.prior) {
    case "normal": return [x];
    case "beta": return [sigmoid(x)];
    case "uniform": return [-1 + 3 * sigmoid(x)];
    case "lowerBounded": return [-1 + Math.exp(x)];
    case "upperBounded": return [1 - Math.exp(x)];
    case "dependent": return [bound * sigmoid(x)];
    case "dirichlet": {
      // StickBreakingTransform: z_i = sigmoid(u_i - log(K - 1 - i)), y_i = z_i Π_{j<i} (1 - z_j), the rest last
      const z = u.map((v, i) => sigmoid(v - Math.log(u.length - i)));
      const y: number[] = [];
      let rest = 1;
      for (const zi of z) {
        y.push(zi * rest);
        rest *= 1 - zi;
      }
      return [...y, rest];
    }
    case "lkj": {
      // CorrCholeskyTransform: tanh onto the strict lower triangle (row-major), rows scaled to unit norm by stick-breaking
      const [t0, t1, t2] = u.map(Math.tanh) as [number, number, number];
      return [1, 0, 0, t0, Math.sqrt(1 - t0 * t0), 0, t1, t2 * Math.sqrt(1 - t1 * t1), Math.sqrt(1 - t1 * t1) * Math.sqrt(1 - t2 * t2)];
    }
    default: return [Math.exp(x)];
  }
}

/** The inverse of forward. */
export function inverse(c: ContinuousSpec, y: readonly number[], bound: number): number[] {
  const v = y[0]!;
  switch (c.prior) {
    case "normal": return [v];
    case "beta": return [Math.log(v / (1 - v))];
    case "uniform": return [Math.log((v + 1) / (2 - v))];
    case "lowerBounded": return [Math.log(v + 1)];
    case "upperBounded": return [Math.log(1 - v)];
    case "dependent": return [Math.log(v / (bound - v))];
    case "dirichlet": {
      let used = 0;
      return y.slice(0, -1).map((yi, i) => {
        used += yi;
        return Math.log(yi) - Math.log(1 - used) + Math.log(y.length - 1 - i);
      });
    }
    case "lkj": {
      const t = [y[3]!, y[6]!, y[7]! / Math.sqrt(1 - y[6]! * y[6]!)];
      return t.map(Math.atanh);
    }
    default: return [Math.log(v)];
  }
}

/** log|det J| of forward at u. */
export function logAbsDetJacobian(c: ContinuousSpec, u: readonly number[], bound: number): number {
  const x = u[0]!;
  const logitJ = (t: number) => logSigmoid(t) + logSigmoid(-t);
  switch (c.prior) {
    case "normal": return 0;
    case "beta": return logitJ(x);
    case "uniform": return Math.log(3) + logitJ(x);
    case "dependent": return Math.log(bound) + logitJ(x);
    case "dirichlet": {
      const y = forward(c, u, bound);
      return u.reduce((s, v, i) => {
        const w = v - Math.log(u.length - i);
        return s - w + logSigmoid(w) + Math.log(y[i]!);
      }, 0);
    }
    case "lkj": {
      // tanh: Σ log(1 - t²); the stick-breaking of row 2: ½ log(1 - y20²)
      const t = u.map(Math.tanh);
      return t.reduce((s, ti) => s + Math.log1p(-ti * ti), 0) + 0.5 * Math.log1p(-t[1]! * t[1]!);
    }
    default: return x; // exp, and exp then an affine map of slope ±1
  }
}

/** The prior's log-density at the constrained value y. */
export function logPrior(c: ContinuousSpec, y: readonly number[], bound: number): number {
  const v = y[0]!;
  switch (c.prior) {
    case "normal": return normalLogPdf(v, 0, 1);
    case "halfnormal": return Math.log(2) + normalLogPdf(v, 0, 1);
    case "lognormal": return normalLogPdf(Math.log(v), 0, 0.5) - Math.log(v);
    case "exponential": return -v;
    case "gamma": return Math.log(v) - v; // concentration 2, rate 1: v e^-v / Γ(2)
    case "beta": return Math.log(6) + Math.log(v) + Math.log(1 - v); // Beta(2, 2): 1 / B(2, 2) = 6
    case "uniform": return -Math.log(3);
    // TruncatedNormal(0, 1, -1, ∞) and (0, 1, -∞, 1): both keep mass Φ(1)
    case "lowerBounded": case "upperBounded": return normalLogPdf(v, 0, 1) - Math.log(PHI_1);
    case "dependent": return -Math.log(bound);
    case "dirichlet": {
      const logNorm = Math.log(120) - LGAMMA_1_5 - 0 - LGAMMA_2_5; // lgamma(Σα) - Σ lgamma(α_i), Γ(2) = 1
      return logNorm + DIRICHLET_ALPHA.reduce((s, a, i) => s + (a - 1) * Math.log(y[i]!), 0);
    }
    case "lkj": {
      // torch's LKJCholesky.log_prob with dim 3: Σ_{i=1,2} (2(η-1) + 3 - (i+1)) log L_ii minus the normaliser
      const order = [2 * (LKJ_ETA - 1) + 3 - 2, 2 * (LKJ_ETA - 1) + 3 - 3];
      const unnormalised = order[0]! * Math.log(y[4]!) + order[1]! * Math.log(y[8]!);
      // α = η + (dim - 1) / 2 = 2.5; mvlgamma(α - ½, 2) = ½ log π + lgamma(2) + lgamma(1.5); the π constant (dim - 1) / 2 log π
      const numerator = 0.5 * LOG_PI + 0 + LGAMMA_1_5;
      const denominator = 2 * LGAMMA_2_5;
      return unnormalised - (LOG_PI + numerator - denominator);
    }
  }
}

/** A guide param's value from the store's unconstrained numbers: exp for a positive one, tril + exp(diag) for scale_tril. */
export type ParamMap = "real" | "positive" | "lowerCholesky";

/** The guide's params over the unconstrained vector u of every latent (D coordinates), by role. */
export interface GuideLayout {
  readonly kind: AutoguideKind;
  readonly D: number;
  /** Where each latent's coordinates start in u. */
  readonly offsets: readonly number[];
  /** The store names of the guide's params, each with its role and map: loc (per latent for AutoNormal/AutoDelta) and the rest. */
  readonly params: readonly { readonly store: string; readonly role: "loc" | "scale" | "scaleTril" | "covFactor"; readonly latent?: number; readonly map: ParamMap }[];
}

const PREFIX: Record<AutoguideKind, string> = {
  delta: "AutoDelta", normal: "AutoNormal", diagonal: "AutoDiagonalNormal", multivariate: "AutoMultivariateNormal", lowRank: "AutoLowRankMultivariateNormal",
};

/**
 * The spec's autoguide's params as Pyro names and constrains them: AutoDelta and AutoNormal per site
 * (`locs.<site>`, `scales.<site>`), the others over one vector (`loc`, `scale` positive, `scale_tril`
 * lower-Cholesky, `cov_factor` real); a site's loc is unconstrained (biject_to of its support).
 */
export function guideLayout(continuous: readonly ContinuousSpec[], kind: AutoguideKind): GuideLayout {
  const offsets: number[] = [];
  let D = 0;
  for (const c of continuous) {
    offsets.push(D);
    D += sizesOf(c).unconstrained;
  }
  const at = (part: string) => `${PREFIX[kind]}.${part}`;
  const params: GuideLayout["params"] = kind === "delta" || kind === "normal"
    ? continuous.flatMap((c, i) => [
      { store: at(`locs.${c.name}`), role: "loc" as const, latent: i, map: "real" as const },
      ...(kind === "normal" ? [{ store: at(`scales.${c.name}`), role: "scale" as const, latent: i, map: "positive" as const }] : []),
    ])
    : [
      { store: at("loc"), role: "loc", map: "real" },
      kind === "multivariate" ? { store: at("scale_tril"), role: "scaleTril", map: "lowerCholesky" } : { store: at("scale"), role: "scale", map: "positive" },
      ...(kind === "lowRank" ? [{ store: at("cov_factor"), role: "covFactor" as const, map: "real" as const }] : []),
    ];
  return { kind, D, offsets, params };
}

/** The unconstrained vector u of a draw of every latent (flat constrained values, in model order). */
export function unconstrainedOf(continuous: readonly ContinuousSpec[], xs: readonly (readonly number[])[]): number[] {
  return continuous.flatMap((c, i) => inverse(c, xs[i]!, c.bound === undefined ? Number.NaN : xs[c.bound]![0]!));
}

export function mapParam(map: ParamMap, values: readonly number[]): number[] {
  if (map === "real") return [...values];
  if (map === "positive") return values.map(Math.exp);
  const n = Math.round(Math.sqrt(values.length));
  return values.map((v, k) => {
    const i = Math.floor(k / n);
    const j = k % n;
    return j < i ? v : j === i ? Math.exp(v) : 0;
  });
}

/** The guide's posterior over u in float64: loc, and u = loc + A eps (A lower triangular, D x D) or the low-rank form. */
export interface GuidePosterior {
  readonly loc: number[];
  /** log q(u). */
  logDensity(u: readonly number[]): number;
  /** The noise that gives u, and u from a noise: held fixed while the params move (low rank: the offset u - loc). */
  noiseOf(u: readonly number[]): number[];
  draw(noise: readonly number[]): number[];
}

export function posteriorOf(layout: GuideLayout, theta: Readonly<Record<string, readonly number[]>>): GuidePosterior {
  const { D } = layout;
  const loc = new Array<number>(D).fill(0);
  const scale = new Array<number>(D).fill(0);
  let tril: number[] | undefined;
  let factor: number[] | undefined;
  for (const p of layout.params) {
    const v = mapParam(p.map, theta[p.store]!);
    const at = p.latent === undefined ? 0 : layout.offsets[p.latent]!;
    if (p.role === "loc") v.forEach((x, i) => (loc[at + i] = x));
    else if (p.role === "scale") v.forEach((x, i) => (scale[at + i] = x));
    else if (p.role === "scaleTril") tril = v;
    else factor = v;
  }
  if (layout.kind === "lowRank") {
    // Σ = W Wᵀ + diag(scale²), W = cov_factor · scale (rows), as Pyro's AutoLowRankMultivariateNormal
    const r = factor!.length / D;
    const cov = Array.from({ length: D * D }, (_, k) => {
      const i = Math.floor(k / D);
      const j = k % D;
      let s = i === j ? scale[i]! * scale[i]! : 0;
      for (let q = 0; q < r; q++) s += factor![i * r + q]! * scale[i]! * factor![j * r + q]! * scale[j]!;
      return s;
    });
    const L = cholesky(cov, D);
    return {
      loc,
      logDensity: (u) => mvnLogPdf(u, loc, L, D),
      noiseOf: (u) => u.map((x, i) => x - loc[i]!),
      draw: (noise) => noise.map((z, i) => z + loc[i]!),
    };
  }
  if (layout.kind !== "multivariate") {
    tril = Array.from({ length: D * D }, (_, k) => (k % (D + 1) === 0 ? scale[k / (D + 1)]! : 0));
  }
  const L = tril!;
  return {
    loc,
    logDensity: (u) => mvnLogPdf(u, loc, L, D),
    noiseOf: (u) => solveLower(L, u.map((x, i) => x - loc[i]!), D),
    draw: (eps) => loc.map((m, i) => {
      let s = m;
      for (let j = 0; j <= i; j++) s += L[i * D + j]! * eps[j]!;
      return s;
    }),
  };
}

function cholesky(a: readonly number[], n: number): number[] {
  const l = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j]!;
    }
  }
  return l;
}

function solveLower(L: readonly number[], b: readonly number[], n: number): number[] {
  const x: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= L[i * n + j]! * x[j]!;
    x.push(s / L[i * n + i]!);
  }
  return x;
}

/** log N(u; loc, L Lᵀ). */
function mvnLogPdf(u: readonly number[], loc: readonly number[], L: readonly number[], n: number): number {
  const z = solveLower(L, u.map((x, i) => x - loc[i]!), n);
  let s = -0.5 * n * LOG_2PI;
  for (let i = 0; i < n; i++) s += -0.5 * z[i]! * z[i]! - Math.log(L[i * n + i]!);
  return s;
}
