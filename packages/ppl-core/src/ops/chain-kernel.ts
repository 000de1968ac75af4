/**
 * The one first-order chain kernel, in float64 JS: every route that sums,
 * maximises or samples a chain v_0 → … → v_{n-1} (a markov loop's fused plan
 * step, a vectorizedMarkov body, DiscreteHMM) runs these loops. tfjs spends
 * 2–10 µs per op, so n separate eliminations cost far more than the
 * arithmetic; here a whole chain is one pass.
 *
 * Layout (row-major, log-factors, -Infinity allowed):
 *   unary [Bu, n, K]      the factors on v_t alone; Bu ∈ {1, B}
 *   pair  [Bp, Tp, K, K]  the factors on (v_{t-1} = i, v_t = j) at [t-1, i, j], previous state first;
 *                         Tp ∈ {1, n-1} (1: one transition for every step, never copied); Bp ∈ {1, B}
 * A leading 1 is shared by the whole batch.
 *
 * Each loop nest is its own function, run once per sequence: V8 then
 * optimises it whole after a few calls (one long function entered once ran
 * on on-stack-replaced code and deoptimised on every call).
 */
import { PPLShapeError, formatShape } from "../errors.js";

export interface ChainLayout {
  readonly B: number;
  readonly n: number;
  readonly K: number;
  readonly Bu: number;
  readonly Bp: number;
  readonly Tp: number;
}

/** The layout of unary and pair shapes; `who` names the caller in the error. */
export function chainLayout(unary: readonly number[], pair: readonly number[], who: string): ChainLayout {
  const bad = (why: string) =>
    new PPLShapeError(`${who}: ${why} (unary ${formatShape(unary)}, pair ${formatShape(pair)})`, {
      expected: "unary [B|1, n, K] and pair [B|1, n-1|1, K, K]",
      actual: `${formatShape(unary)} and ${formatShape(pair)}`,
    });
  if (unary.length !== 3 || pair.length !== 4) throw bad("wrong ranks");
  const [Bu, n, K] = unary as [number, number, number];
  const [Bp, Tp, K1, K2] = pair as [number, number, number, number];
  if (n < 1 || K < 1) throw bad("a chain needs at least one variable and one state");
  if (K1 !== K || K2 !== K) throw bad("state sizes differ");
  if (Tp !== 1 && Tp !== n - 1) throw bad(`the pair's time dim ${Tp} is neither 1 nor n-1 = ${n - 1}`);
  const B = Math.max(Bu, Bp);
  if ((Bu !== 1 && Bu !== B) || (Bp !== 1 && Bp !== B)) throw bad("batch sizes do not broadcast");
  return { B, n, K, Bu, Bp, Tp };
}

/** The forward pass: what the log-normaliser, the posteriors and backward sampling need. */
export interface ChainSweep {
  readonly layout: ChainLayout;
  /** Filtered (normalised) forward messages p(v_t | factors up to t), [B, n, K]. */
  readonly alpha: Float64Array;
  /** Per-step normalisers, [B, n]. */
  readonly c: Float64Array;
  /** log Σ over every path of exp(Σ unary + Σ pair), [B]; -Infinity for a chain with no possible path. */
  readonly logZ: Float64Array;
  /** exp(unary - row max) and exp(pair - block max), the inputs' layouts. */
  readonly U: Float64Array;
  readonly P: Float64Array;
}

/**
 * Into e, exp(x - max) per block of `block` entries; into shift, the maxes
 * (0 for an all -Infinity block). A block equal to the one before it (a
 * time-homogeneous chain's transitions spread over its steps: one matrix
 * repeated T times) copies that block's results instead of taking its exps
 * again. e may be x (the exps written over the logs: the block before is
 * compared as it was read). Nothing follows the loop (see the file comment).
 */
export function expShifted(x: ArrayLike<number>, block: number, e: Float64Array, shift: Float64Array): void {
  const blocks = shift.length;
  const last = new Float64Array(block);
  for (let r = 0; r < blocks; r++) {
    const at = r * block;
    if (r > 0 && sameBlock(x, at, last, 0, block)) {
      shift[r] = shift[r - 1]!;
      for (let k = 0; k < block; k++) e[at + k] = e[at - block + k]!;
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < block; k++) m = Math.max(m, x[at + k]!);
    if (m === -Infinity) m = 0;
    shift[r] = m;
    for (let k = 0; k < block; k++) {
      const v = x[at + k]!;
      last[k] = v;
      e[at + k] = Math.exp(v - m);
    }
  }
}

/** Whether a[i, i + n) and b[j, j + n) hold the same numbers (a NaN matches nothing: its block is computed). */
export function sameBlock(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/**
 * Scaled forward recursion (Rabiner) over every sequence: one exp per input entry, not per path term.
 * `ownUnary`: unary is a Float64Array the caller made for this call alone, and its exps are written over it.
 */
export function chainForward(L: ChainLayout, unary: ArrayLike<number>, pair: ArrayLike<number>, ownUnary = false): ChainSweep {
  const { B, n, K, Bu, Bp, Tp } = L;
  const U = ownUnary && unary instanceof Float64Array ? unary : new Float64Array(Bu * n * K);
  const su = new Float64Array(Bu * n);
  expShifted(unary, K, U, su);
  const P = new Float64Array(Bp * Tp * K * K);
  const sp = new Float64Array(Bp * Tp);
  expShifted(pair, K * K, P, sp);
  const alpha = new Float64Array(B * n * K);
  const c = new Float64Array(B * n);
  const logZ = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    logZ[b] = forwardSequence(n, K, Tp, (Bu === 1 ? 0 : b) * n, (Bp === 1 ? 0 : b) * Tp, b, U, su, P, sp, alpha, c);
  }
  return { layout: L, alpha, c, logZ, U, P };
}

/** Sequence b (unary rows from ub, pair blocks from pb): fills its alpha and c, returns its log Z. */
function forwardSequence(
  n: number, K: number, Tp: number, ub: number, pb: number, b: number,
  U: Float64Array, su: Float64Array, P: Float64Array, sp: Float64Array, alpha: Float64Array, c: Float64Array,
): number {
  const KK = K * K;
  const ab = b * n * K;
  let c0 = 0;
  for (let k = 0; k < K; k++) c0 += alpha[ab + k] = U[ub * K + k]!;
  // no possible state: the rest of alpha stays 0, the posteriors are skipped
  if (!(c0 > 0)) return c0 === 0 ? -Infinity : NaN;
  for (let k = 0; k < K; k++) alpha[ab + k]! /= c0;
  c[b * n] = c0;
  let shifts = su[ub]!;
  // the normalisers' product, logged only when it nears the float64 range (a log per step costs more than the step)
  let prod = c0;
  for (let t = 1; t < n; t++) {
    const prev = ab + (t - 1) * K;
    const cur = prev + K;
    const block = pb + (Tp === 1 ? 0 : t - 1);
    const pr = block * KK;
    const ur = (ub + t) * K;
    let ct = 0;
    for (let j = 0; j < K; j++) {
      let acc = 0;
      for (let i = 0; i < K; i++) acc += alpha[prev + i]! * P[pr + i * K + j]!;
      const v = acc * U[ur + j]!;
      alpha[cur + j] = v;
      ct += v;
    }
    if (!(ct > 0)) return ct === 0 ? -Infinity : NaN;
    const inv = 1 / ct;
    for (let j = 0; j < K; j++) alpha[cur + j]! *= inv;
    c[b * n + t] = ct;
    shifts += sp[block]! + su[ub + t]!;
    prod *= ct;
    if (!(prod > 1e-250 && prod < 1e250)) {
      shifts += Math.log(prod);
      prod = 1;
    }
  }
  return shifts + Math.log(prod);
}

/** Σ_b w_b × the posterior marginals, in the inputs' layouts: the gradient of Σ_b w_b log Z_b. */
export interface ChainPosteriors {
  /** [Bu, n, K]: Σ_b w_b p(v_t = k). */
  readonly unary: Float64Array;
  /** [Bp, Tp, K, K]: Σ_b w_b p(v_{t-1} = i, v_t = j) (summed over t where Tp = 1). */
  readonly pair: Float64Array;
}

/** The backward (posterior) pass, weighting sequence b by w[b]; a chain with no path (log Z = -Infinity) adds nothing. */
export function chainPosteriors(sw: ChainSweep, w: ArrayLike<number>): ChainPosteriors {
  const { B, n, K, Bu, Bp, Tp } = sw.layout;
  const gU = new Float64Array(Bu * n * K);
  const gP = new Float64Array(Bp * Tp * K * K);
  const scratch = new Float64Array(3 * K);
  for (let b = 0; b < B; b++) {
    const wb = w[b]!;
    if (wb === 0 || !Number.isFinite(sw.logZ[b]!)) continue;
    backwardSequence(n, K, Tp, (Bu === 1 ? 0 : b) * n, (Bp === 1 ? 0 : b) * Tp, b, wb, sw, gU, gP, scratch);
  }
  return { unary: gU, pair: gP };
}

/** Sequence b's backward recursion, adding w × its marginals into gU and gP. */
function backwardSequence(
  n: number, K: number, Tp: number, ub: number, pb: number, b: number, w: number, sw: ChainSweep,
  gU: Float64Array, gP: Float64Array, scratch: Float64Array,
): void {
  const { alpha, c, U, P } = sw;
  const KK = K * K;
  const ab = b * n * K;
  // scratch holds beta (0..K-1), the previous step's beta (K..2K-1), and U · beta / c for the current step
  // (2K..3K-1: the factor every (i, j) term shares along j, multiplied once per j); beta is scaled by the
  // same c as alpha
  let beta = 0;
  let prevBeta = K;
  const ub2 = 2 * K;
  for (let j = 0; j < K; j++) scratch[j] = 1;
  for (let t = n - 1; t >= 1; t--) {
    const prev = ab + (t - 1) * K;
    const cur = prev + K;
    const pr = (pb + (Tp === 1 ? 0 : t - 1)) * KK;
    const ur = (ub + t) * K;
    const inv = 1 / c[b * n + t]!;
    for (let j = 0; j < K; j++) {
      gU[ur + j]! += w * alpha[cur + j]! * scratch[beta + j]!;
      scratch[ub2 + j] = U[ur + j]! * scratch[beta + j]! * inv;
    }
    for (let i = 0; i < K; i++) {
      let acc = 0;
      const ai = w * alpha[prev + i]!;
      const row = pr + i * K;
      for (let j = 0; j < K; j++) {
        const x = P[row + j]! * scratch[ub2 + j]!;
        acc += x;
        gP[row + j]! += ai * x;
      }
      scratch[prevBeta + i] = acc;
    }
    const swap = beta;
    beta = prevBeta;
    prevBeta = swap;
  }
  for (let k = 0; k < K; k++) gU[ub * K + k]! += w * alpha[ab + k]! * scratch[beta + k]!;
}

/** The MAP paths and their scores. */
export interface ChainViterbi {
  /** [B, n] row-major. */
  readonly paths: Int32Array;
  /** max over paths of Σ unary + Σ pair, [B]. */
  readonly scores: Float64Array;
}

/** Max-product with back-pointers, in log space (exact with -Infinity); ties go to the lowest state, as argMax does. */
export function chainViterbi(L: ChainLayout, unary: ArrayLike<number>, pair: ArrayLike<number>): ChainViterbi {
  const { B, n, K, Bu, Bp, Tp } = L;
  const paths = new Int32Array(B * n);
  const scores = new Float64Array(B);
  const score = new Float64Array(2 * K);
  const from = new Int32Array(n * K);
  for (let b = 0; b < B; b++) {
    scores[b] = viterbiSequence(n, K, Tp, (Bu === 1 ? 0 : b) * n * K, (Bp === 1 ? 0 : b) * Tp, b, unary, pair, score, from, paths);
  }
  return { paths, scores };
}

/** Sequence b's Viterbi pass (unary from offset u, pair blocks from pb): writes its path, returns its score. */
function viterbiSequence(
  n: number, K: number, Tp: number, u: number, pb: number, b: number,
  unary: ArrayLike<number>, pair: ArrayLike<number>, score: Float64Array, from: Int32Array, paths: Int32Array,
): number {
  const KK = K * K;
  // score holds the current step's (0..K-1) and the next step's (K..2K-1) best scores
  let cur = 0;
  let next = K;
  for (let k = 0; k < K; k++) score[k] = unary[u + k]!;
  for (let t = 1; t < n; t++) {
    const pr = (pb + (Tp === 1 ? 0 : t - 1)) * KK;
    for (let j = 0; j < K; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        const v = score[cur + i]! + pair[pr + i * K + j]!;
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      score[next + j] = best + unary[u + t * K + j]!;
      from[t * K + j] = arg;
    }
    const swap = cur;
    cur = next;
    next = swap;
  }
  let arg = 0;
  for (let k = 1; k < K; k++) if (score[cur + k]! > score[cur + arg]!) arg = k;
  const row = b * n;
  paths[row + n - 1] = arg;
  for (let t = n - 1; t > 0; t--) paths[row + t - 1] = from[t * K + paths[row + t]!]!;
  return score[cur + arg]!;
}

/**
 * Forward filtering, backward sampling: one draw of sequence b's path from
 * its posterior, written to out[offset .. offset + n). v_{n-1} is drawn from
 * its filtered marginal, then each v_t given v_{t+1} from
 * alpha_t(i) · exp(pair[t, i, v_{t+1}]). A chain with no possible path gets state 0.
 */
export function chainSample(sw: ChainSweep, b: number, rng: () => number, out: Int32Array, offset: number): void {
  const { n, K, Bp, Tp } = sw.layout;
  const { alpha, P } = sw;
  const ab = b * n * K;
  if (!Number.isFinite(sw.logZ[b]!)) {
    out.fill(0, offset, offset + n);
    return;
  }
  out[offset + n - 1] = drawFrom(alpha, ab + (n - 1) * K, 1, K, rng);
  const pb = (Bp === 1 ? 0 : b) * Tp;
  for (let t = n - 2; t >= 0; t--) {
    const next = out[offset + t + 1]!;
    const pr = (pb + (Tp === 1 ? 0 : t)) * K * K;
    out[offset + t] = drawProduct(alpha, ab + t * K, P, pr + next, K, rng);
  }
}

/** A draw proportional to w[at + k·stride], k < K. */
function drawFrom(w: Float64Array, at: number, stride: number, K: number, rng: () => number): number {
  let total = 0;
  for (let k = 0; k < K; k++) total += w[at + k * stride]!;
  let r = rng() * total;
  for (let k = 0; k < K; k++) {
    r -= w[at + k * stride]!;
    if (r < 0) return k;
  }
  // round-off left r ≥ 0: the last state with mass
  for (let k = K - 1; k > 0; k--) if (w[at + k * stride]! > 0) return k;
  return 0;
}

/** A draw proportional to a[ai + k] · p[pi + k·K], k < K. */
function drawProduct(a: Float64Array, ai: number, p: Float64Array, pi: number, K: number, rng: () => number): number {
  let total = 0;
  for (let k = 0; k < K; k++) total += a[ai + k]! * p[pi + k * K]!;
  let r = rng() * total;
  let last = 0;
  for (let k = 0; k < K; k++) {
    const x = a[ai + k]! * p[pi + k * K]!;
    if (x > 0) last = k;
    r -= x;
    if (r < 0) return k;
  }
  return last;
}
