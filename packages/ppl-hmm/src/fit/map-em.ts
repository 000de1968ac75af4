/**
 * Baum–Welch for ppl-hmm's model (fit/model.ts), maximum a posteriori: a
 * generalised EM that never lowers the model's log joint
 *
 *   log p(y | θ) + log p(θ),  θ = (probs_init, probs_trans, locs, scales),
 *   probs ~ Dirichlet(1) (flat), locs ~ Normal(m0, s0), scales ~ LogNormal(0, 1),
 *   emission sd √(scale² + floor²),
 *
 * on standardised sequences, in float64. The E-step is ppl-core's
 * hmmForwardBackward (the chain kernel every HMM in ppl runs); the M-step is
 * closed form for the probabilities and each state's mean given its sd, and a
 * one-dimensional search for its scale given its mean (the floor and the
 * prior leave no closed form). It is the tool's default fit (the same
 * optimum as the SVI fit of the ppl model, hundreds of times fewer passes)
 * and the SVI fit's warm start and closing check.
 *
 * Converged means: the log joint rose by at most `tol` × |log joint| in the
 * last iteration AND the gradient of the log joint (unconstrained
 * coordinates: logits, means, log scales; by Fisher's identity from the
 * E-step's expectations) is at most `gradTol` per value in every coordinate.
 * Neither test depends on a step size.
 */
import { hmmForwardBackward } from "ppl-core/hmm";
import { gaussianLogEmissions } from "../emission.js";
import type { PlainParams } from "../params.js";

/** The priors' constants: the locs prior's centre and sd, and the sd floor (standardised units). */
export interface MapPrior {
  m0: number;
  s0: number;
  floor: number;
}

/** How long to iterate. */
export interface MapEmSettings {
  maxIter: number;
  /** Relative rise of the log joint per iteration below which the run may stop (default 1e-10). */
  tol?: number;
  /** Largest gradient coordinate, per value fitted, allowed at convergence (default 1e-6). */
  gradTol?: number;
  /** Called after every iteration with its log joint. */
  onIteration?: (iteration: number, logJoint: number) => void;
}

/** One run's outcome. */
export interface MapEmRun {
  /** The last iterate (its log joint is `logJoint`); `scales` is the model's scales site. */
  params: PlainParams;
  logJoint: number;
  logLikelihood: number;
  /** E-steps run. */
  iterations: number;
  converged: boolean;
  /** The largest gradient coordinate of the log joint at `params`, per value. */
  gradient: number;
  /** The log joint after every E-step. */
  trace: number[];
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log p(θ) of the model's priors (the flat Dirichlets' density Γ(K) included, as ppl's Dirichlet scores it). */
export function logPrior(p: PlainParams, prior: MapPrior): number {
  const K = p.locs.length;
  let logFact = 0;
  for (let i = 2; i < K; i++) logFact += Math.log(i);
  let lp = (K + 1) * logFact;
  for (let k = 0; k < K; k++) {
    const u = (p.locs[k]! - prior.m0) / prior.s0;
    lp += -Math.log(prior.s0) - LOG_SQRT_2PI - 0.5 * u * u;
    const l = Math.log(p.scales[k]!);
    lp += -l - LOG_SQRT_2PI - 0.5 * l * l;
  }
  return lp;
}

/** The E-step's sums over every sequence. */
interface Stats {
  logLikelihood: number;
  /** Σ_s p(z_0 = k | y_s). */
  start: Float64Array;
  /** Σ_s Σ_t p(z_{t-1} = i, z_t = j | y_s). */
  trans: Float64Array;
  /** Σ γ, Σ γ y, Σ γ y² per state. */
  w: Float64Array;
  wy: Float64Array;
  wyy: Float64Array;
}

function eStep(seqs: readonly Float64Array[], p: PlainParams, sds: readonly number[], buffer: Float64Array): Stats {
  const K = p.locs.length;
  const st: Stats = { logLikelihood: 0, start: new Float64Array(K), trans: new Float64Array(K * K), w: new Float64Array(K), wy: new Float64Array(K), wyy: new Float64Array(K) };
  const logInit = p.probsInit.map(Math.log);
  const logTrans = p.probsTrans.flat().map(Math.log);
  for (const y of seqs) {
    const fb = hmmForwardBackward({ logInit, logTrans, logEmit: gaussianLogEmissions(y, p.locs, sds, buffer.subarray(0, y.length * K)) });
    st.logLikelihood += fb.logLikelihood;
    const g = fb.marginals;
    for (let k = 0; k < K; k++) st.start[k]! += g[k]!;
    for (let i = 0; i < K * K; i++) st.trans[i]! += fb.transitionCounts[i]!;
    for (let t = 0; t < y.length; t++) {
      const v = y[t]!;
      for (let k = 0; k < K; k++) {
        const gk = g[t * K + k]!;
        st.w[k]! += gk;
        st.wy[k]! += gk * v;
        st.wyy[k]! += gk * v * v;
      }
    }
  }
  return st;
}

/** Σ_k γ (y − μ)² from the sums. */
function spread(st: Stats, k: number, mu: number): number {
  return Math.max(st.wyy[k]! - 2 * mu * st.wy[k]! + mu * mu * st.w[k]!, 0);
}

/**
 * The largest coordinate of ∇ log joint at `p` (unconstrained: softmax
 * logits of the probabilities, the means, log scales), from the E-step's
 * expectations (Fisher's identity: ∇ log p(y) = E[∇ log p(y, z) | y]).
 */
function gradientMax(st: Stats, p: PlainParams, sds: readonly number[], prior: MapPrior, numSeqs: number): number {
  const K = p.locs.length;
  let g = 0;
  for (let k = 0; k < K; k++) g = Math.max(g, Math.abs(st.start[k]! - p.probsInit[k]! * numSeqs));
  for (let i = 0; i < K; i++) {
    let row = 0;
    for (let j = 0; j < K; j++) row += st.trans[i * K + j]!;
    for (let j = 0; j < K; j++) g = Math.max(g, Math.abs(st.trans[i * K + j]! - p.probsTrans[i]![j]! * row));
  }
  for (let k = 0; k < K; k++) {
    const mu = p.locs[k]!;
    const s2 = sds[k]! * sds[k]!;
    g = Math.max(g, Math.abs((st.wy[k]! - mu * st.w[k]!) / s2 - (mu - prior.m0) / prior.s0 ** 2));
    const c = p.scales[k]!;
    // d/du of −w log σ − S/(2σ²) with σ² = e^{2u} + floor², plus the LogNormal prior's −1 − u
    const dLik = (-st.w[k]! / s2 + spread(st, k, mu) / (s2 * s2)) * c * c;
    g = Math.max(g, Math.abs(dLik - 1 - Math.log(c)));
  }
  return g;
}

/** argmax over u of −w/2 log(e^{2u} + f²) − S / (2 (e^{2u} + f²)) − u − u²/2, by golden-section search around `u0`. */
function bestLogScale(w: number, S: number, f2: number, u0: number): number {
  const g = (u: number) => {
    const v = Math.exp(2 * u) + f2;
    return -0.5 * w * Math.log(v) - S / (2 * v) - u - 0.5 * u * u;
  };
  // the unfloored optimum of the likelihood is a good centre; the window is wide enough for the prior's pull
  const ml = 0.5 * Math.log(Math.max(S / Math.max(w, 1e-300) - f2, 1e-300));
  const centre = Number.isFinite(ml) ? Math.max(Math.min(ml, 10), -40) : u0;
  let a = Math.max(Math.min(centre, u0) - 3, -45);
  let b = Math.min(Math.max(centre, u0) + 3, 12);
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = b - r * (b - a);
  let x2 = a + r * (b - a);
  let f1 = g(x1);
  let f2v = g(x2);
  for (let i = 0; i < 80; i++) {
    if (f1 < f2v) {
      a = x1;
      x1 = x2;
      f1 = f2v;
      x2 = a + r * (b - a);
      f2v = g(x2);
    } else {
      b = x2;
      x2 = x1;
      f2v = f1;
      x1 = b - r * (b - a);
      f1 = g(x1);
    }
  }
  const u = (a + b) / 2;
  // generalised EM: never worse than where the state was
  return g(u) >= g(u0) ? u : u0;
}

function mStep(st: Stats, p: PlainParams, prior: MapPrior): PlainParams {
  const K = p.locs.length;
  const norm = (row: Float64Array, old: number[]) => {
    let z = 0;
    for (const x of row) z += x;
    // a state no sequence visits keeps its row
    return z > 0 ? Array.from(row, (x) => x / z) : old;
  };
  const probsInit = norm(st.start, p.probsInit);
  const probsTrans = p.probsTrans.map((old, i) => norm(st.trans.subarray(i * K, (i + 1) * K), old));
  const locs = [...p.locs];
  const scales = [...p.scales];
  const f2 = prior.floor * prior.floor;
  for (let k = 0; k < K; k++) {
    let mu = locs[k]!;
    let u = Math.log(scales[k]!);
    // coordinate ascent: the mean given the sd (closed form), then the scale given the mean
    for (let inner = 0; inner < 3; inner++) {
      const v = Math.exp(2 * u) + f2;
      mu = (st.wy[k]! / v + prior.m0 / prior.s0 ** 2) / (st.w[k]! / v + 1 / prior.s0 ** 2);
      u = bestLogScale(st.w[k]!, spread(st, k, mu), f2, u);
    }
    locs[k] = mu;
    scales[k] = Math.exp(u);
  }
  return { probsInit, probsTrans, locs, scales };
}

/** Runs MAP Baum–Welch from `init` on standardised `seqs` (each of length ≥ 2). */
export function mapEm(seqs: readonly Float64Array[], init: PlainParams, prior: MapPrior, s: MapEmSettings): MapEmRun {
  const K = init.locs.length;
  const N = seqs.reduce((a, y) => a + y.length, 0);
  const tol = s.tol ?? 1e-10;
  const gradTol = (s.gradTol ?? 1e-6) * N;
  const buffer = new Float64Array(Math.max(...seqs.map((y) => y.length)) * K);
  const trace: number[] = [];
  let p = init;
  let prev = -Infinity;
  let stats: Stats | undefined;
  let gradient = Infinity;
  let converged = false;
  let it = 0;
  for (; it < s.maxIter; it++) {
    const sds = p.scales.map((c) => Math.sqrt(c * c + prior.floor * prior.floor));
    stats = eStep(seqs, p, sds, buffer);
    const joint = stats.logLikelihood + logPrior(p, prior);
    trace.push(joint);
    s.onIteration?.(it, joint);
    gradient = gradientMax(stats, p, sds, prior, seqs.length);
    if (joint - prev <= tol * Math.abs(joint) && gradient <= gradTol) {
      converged = true;
      it++;
      break;
    }
    prev = joint;
    p = mStep(stats, p, prior);
  }
  // the E-step of the last M-step's params was not run when maxIter stopped the loop: score them
  if (!converged && it > 0) {
    const sds = p.scales.map((c) => Math.sqrt(c * c + prior.floor * prior.floor));
    stats = eStep(seqs, p, sds, buffer);
    trace.push(stats.logLikelihood + logPrior(p, prior));
    gradient = gradientMax(stats, p, sds, prior, seqs.length);
  }
  const logLikelihood = stats?.logLikelihood ?? Number.NaN;
  return { params: p, logJoint: logLikelihood + logPrior(p, prior), logLikelihood, iterations: it, converged, gradient: gradient / N, trace };
}
