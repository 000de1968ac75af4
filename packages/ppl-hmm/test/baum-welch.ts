/**
 * An independent reference for ppl-hmm's fits: Baum–Welch (EM) for a Gaussian
 * HMM in float64 plain JS, maximising the same objective as ppl-hmm's MAP
 * fit (same priors, same sd floor, on the same standardised data):
 *
 *   probs_init ~ Dirichlet(1), each row of probs_trans ~ Dirichlet(1)  (flat: MAP = ML counts)
 *   locs[k]    ~ Normal(m0, s0), m0 = mean of the data, s0 = 3 × its Bessel-corrected sd
 *   scales[k]  ~ LogNormal(0, 1), emission sd σ_k = √(scales[k]² + floor²)
 *
 * The E-step is the scaled forward–backward recursion (Rabiner 1989); the
 * M-step for each state's (loc, scale) alternates the closed-form loc given
 * σ and a golden-section search over log scale given the loc (a generalised
 * EM step: the log joint never decreases).
 */

export interface Params {
  probsInit: number[];
  probsTrans: number[][];
  locs: number[];
  /** The model's `scales` site (not the emission sd). */
  scales: number[];
}

export interface Prior {
  m0: number;
  s0: number;
  floor: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function emissionSds(p: Params, floor: number): number[] {
  return p.scales.map((c) => Math.sqrt(c * c + floor * floor));
}

/** Scaled forward–backward of one sequence: log p(y), state posteriors γ [T][K] and pair counts Σ_t ξ_t [K][K]. */
function forwardBackward(y: readonly number[], p: Params, sds: readonly number[]): { logp: number; gamma: Float64Array; xi: Float64Array } {
  const K = p.locs.length;
  const T = y.length;
  const e = new Float64Array(T * K);
  // emissions shifted by their per-step max so that nothing underflows; the shifts are added back to log p
  let shift = 0;
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      const u = (y[t]! - p.locs[k]!) / sds[k]!;
      e[t * K + k] = -Math.log(sds[k]!) - LOG_SQRT_2PI - 0.5 * u * u;
      m = Math.max(m, e[t * K + k]!);
    }
    for (let k = 0; k < K; k++) e[t * K + k] = Math.exp(e[t * K + k]! - m);
    shift += m;
  }
  const alpha = new Float64Array(T * K);
  const c = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < K; j++) {
      let prior = 0;
      if (t === 0) prior = p.probsInit[j]!;
      else for (let i = 0; i < K; i++) prior += alpha[(t - 1) * K + i]! * p.probsTrans[i]![j]!;
      alpha[t * K + j] = prior * e[t * K + j]!;
      s += alpha[t * K + j]!;
    }
    c[t] = s;
    for (let j = 0; j < K; j++) alpha[t * K + j]! /= s;
  }
  const beta = new Float64Array(T * K).fill(1);
  for (let t = T - 2; t >= 0; t--) {
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += p.probsTrans[i]![j]! * e[(t + 1) * K + j]! * beta[(t + 1) * K + j]!;
      beta[t * K + i] = s / c[t + 1]!;
    }
  }
  const gamma = new Float64Array(T * K);
  for (let i = 0; i < T * K; i++) gamma[i] = alpha[i]! * beta[i]!;
  const xi = new Float64Array(K * K);
  for (let t = 1; t < T; t++) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        xi[i * K + j]! += (alpha[(t - 1) * K + i]! * p.probsTrans[i]![j]! * e[t * K + j]! * beta[t * K + j]!) / c[t]!;
      }
    }
  }
  let logp = shift;
  for (let t = 0; t < T; t++) logp += Math.log(c[t]!);
  return { logp, gamma, xi };
}

/** Σ_s log p(y_s) under p (emission sd √(scale² + floor²)). */
export function logLikelihood(seqs: readonly (readonly number[])[], p: Params, floor: number): number {
  const sds = emissionSds(p, floor);
  return seqs.reduce((a, y) => a + forwardBackward(y, p, sds).logp, 0);
}

/** The log density of the priors at p (the flat Dirichlets contribute their constant log Γ(K)). */
export function logPrior(p: Params, prior: Prior): number {
  const K = p.locs.length;
  let lp = 0;
  // Dirichlet(1, …, 1) on a K-simplex has density Γ(K) = (K−1)!; K + 1 of them (probs_init and every row)
  let logFact = 0;
  for (let i = 2; i < K; i++) logFact += Math.log(i);
  lp += (K + 1) * logFact;
  for (let k = 0; k < K; k++) {
    const u = (p.locs[k]! - prior.m0) / prior.s0;
    lp += -Math.log(prior.s0) - LOG_SQRT_2PI - 0.5 * u * u;
    const l = Math.log(p.scales[k]!);
    lp += -l - LOG_SQRT_2PI - 0.5 * l * l;
  }
  return lp;
}

function goldenMax(f: (x: number) => number, lo: number, hi: number, iters = 120): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < iters; i++) {
    if (f1 < f2) {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    } else {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    }
  }
  return (a + b) / 2;
}

export interface EmResult {
  params: Params;
  logJoint: number;
  logLik: number;
  iterations: number;
}

/** MAP-EM from `init` until the log joint changes by less than 1e-11 relative (or maxIter). */
export function baumWelch(seqs: readonly (readonly number[])[], init: Params, prior: Prior, maxIter = 3000): EmResult {
  const K = init.locs.length;
  let p: Params = structuredClone(init);
  let prev = -Infinity;
  let it = 0;
  let logLik = -Infinity;
  for (; it < maxIter; it++) {
    const sds = emissionSds(p, prior.floor);
    const start = new Float64Array(K);
    const trans = new Float64Array(K * K);
    const w = new Float64Array(K);
    const wy = new Float64Array(K);
    const stats: { gamma: Float64Array; y: readonly number[] }[] = [];
    logLik = 0;
    for (const y of seqs) {
      const fb = forwardBackward(y, p, sds);
      logLik += fb.logp;
      for (let k = 0; k < K; k++) start[k]! += fb.gamma[k]!;
      for (let i = 0; i < K * K; i++) trans[i]! += fb.xi[i]!;
      for (let t = 0; t < y.length; t++) for (let k = 0; k < K; k++) (w[k]! += fb.gamma[t * K + k]!, (wy[k]! += fb.gamma[t * K + k]! * y[t]!));
      stats.push({ gamma: fb.gamma, y });
    }
    const joint = logLik + logPrior(p, prior);
    if (Math.abs(joint - prev) <= 1e-11 * Math.abs(joint)) break;
    prev = joint;
    const sumStart = start.reduce((a, b) => a + b, 0);
    const next: Params = {
      probsInit: Array.from(start, (s) => s / sumStart),
      probsTrans: Array.from({ length: K }, (_, i) => {
        const row = Array.from(trans.slice(i * K, (i + 1) * K));
        const z = row.reduce((a, b) => a + b, 0);
        return row.map((x) => x / z);
      }),
      locs: [...p.locs],
      scales: [...p.scales],
    };
    for (let k = 0; k < K; k++) {
      let mu = next.locs[k]!;
      let c = next.scales[k]!;
      for (let inner = 0; inner < 6; inner++) {
        const v = c * c + prior.floor * prior.floor;
        mu = (wy[k]! / v + prior.m0 / prior.s0 ** 2) / (w[k]! / v + 1 / prior.s0 ** 2);
        let S = 0;
        for (const st of stats) for (let t = 0; t < st.y.length; t++) S += st.gamma[t * K + k]! * (st.y[t]! - mu) ** 2;
        const objective = (u: number) => {
          const vv = Math.exp(2 * u) + prior.floor * prior.floor;
          return -0.5 * w[k]! * Math.log(vv) - S / (2 * vv) - u - 0.5 * u * u;
        };
        c = Math.exp(goldenMax(objective, -40, 10));
      }
      next.locs[k] = mu;
      next.scales[k] = c;
    }
    p = next;
  }
  return { params: p, logJoint: logLik + logPrior(p, prior), logLik, iterations: it };
}

/** Starting points of the reference's own: states from quantile bands of the data, then deterministic random bands. */
export function referenceInits(seqs: readonly (readonly number[])[], K: number, count: number): Params[] {
  const all = seqs.flat().sort((a, b) => a - b);
  const q = (x: number) => all[Math.min(all.length - 1, Math.max(0, Math.floor(x * all.length)))]!;
  let state = 12345;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: Params[] = [];
  for (let r = 0; r < count; r++) {
    const cuts = r === 0 ? Array.from({ length: K }, (_, k) => (k + 0.5) / K) : Array.from({ length: K }, () => rand()).sort();
    const locs = cuts.map(q);
    const spread = (all[all.length - 1]! - all[0]!) / (2 * K);
    out.push({
      probsInit: new Array(K).fill(1 / K),
      probsTrans: Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 0.9 : 0.1 / (K - 1)))),
      locs,
      scales: new Array(K).fill(spread),
    });
  }
  return out;
}
