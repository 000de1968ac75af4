/**
 * The factorial chain kernel, in float64 JS: M first-order chains
 * v^m_0 → … → v^m_{n-1} that meet only in per-step factors on several of
 * them at once (a factorial HMM's emission). The state at step t is the
 * product state x_t = (v^0_t, …, v^{M-1}_t), S = Π K_m values, row-major
 * (chain 0 varies slowest). The transition Π_m P_m(v^m_{t-1}, v^m_t) is
 * never formed: each step applies the chains' factors one at a time to the
 * S-vector (Ghahramani & Jordan 1997), S·K_m work per chain, so a whole pass
 * is n·S·Σ K_m instead of the product chain's n·S². Same passes as the
 * one-chain kernel (chain-kernel.ts): scaled forward, posteriors, Viterbi,
 * forward filtering backward sampling.
 *
 * Layout (row-major, log-factors, -Infinity allowed):
 *   unary    [Bu, n, S]           every factor on the step's variables, on the product state; Bu ∈ {1, B}
 *   pairs[m] [Bp_m, Tp_m, K_m, K_m] chain m's factors on (v^m_{t-1} = i, v^m_t = j) at [t-1, i, j];
 *                                   Tp_m ∈ {1, n-1}, Bp_m ∈ {1, B}
 */
import { PPLShapeError, formatShape } from "../errors.js";
import { expShifted } from "./chain-kernel.js";

export interface FactorialLayout {
  readonly B: number;
  readonly n: number;
  /** Each chain's number of states. */
  readonly sizes: readonly number[];
  /** Π sizes. */
  readonly S: number;
  /** Chain m's stride in the product state: Π_{m' > m} sizes[m']. */
  readonly strides: readonly number[];
  readonly Bu: number;
  readonly Bp: readonly number[];
  readonly Tp: readonly number[];
}

/** The layout of a unary and M pair shapes; `who` names the caller in the error. */
export function factorialLayout(unary: readonly number[], pairs: readonly (readonly number[])[], who: string): FactorialLayout {
  // (the shapes are formatted only for an error: a decode lays out its chain on every call)
  const bad = (why: string) => {
    const shown = `unary ${formatShape(unary)}, pairs ${pairs.map(formatShape).join(" ")}`;
    return new PPLShapeError(`${who}: ${why} (${shown})`, {
      expected: "unary [B|1, n, Π K_m] and one pair [B|1, n-1|1, K_m, K_m] per chain",
      actual: shown,
    });
  };
  if (unary.length !== 3 || pairs.length === 0 || pairs.some((p) => p.length !== 4)) throw bad("wrong ranks");
  const [Bu, n, S] = unary as [number, number, number];
  const sizes = pairs.map((p) => p[2]!);
  if (n < 1 || sizes.some((k) => k < 1)) throw bad("a chain needs at least one step and one state");
  if (pairs.some((p) => p[3] !== p[2])) throw bad("a pair factor is not square");
  if (sizes.reduce((a, b) => a * b, 1) !== S) throw bad(`the product of the chains' sizes is not the unary's ${S} states`);
  const Tp = pairs.map((p) => p[1]!);
  if (Tp.some((t) => t !== 1 && t !== n - 1)) throw bad(`a pair's time dim is neither 1 nor n-1 = ${n - 1}`);
  const Bp = pairs.map((p) => p[0]!);
  const B = Math.max(Bu, ...Bp);
  if ([Bu, ...Bp].some((b) => b !== 1 && b !== B)) throw bad("batch sizes do not broadcast");
  const strides = sizes.map((_, m) => sizes.slice(m + 1).reduce((a, b) => a * b, 1));
  return { B, n, sizes, S, strides, Bu, Bp, Tp };
}

/** Chain m's transition block for step t (t ≥ 1) of sequence b: its offset in pairs[m]. */
function pairAt(L: FactorialLayout, m: number, b: number, t: number): number {
  const K = L.sizes[m]!;
  const Tp = L.Tp[m]!;
  return ((L.Bp[m] === 1 ? 0 : b) * Tp + (Tp === 1 ? 0 : t - 1)) * K * K;
}

/**
 * out[.., j, ..] = Σ_i a[.., i, ..] · P[i, j] along chain m's axis (stride st, size K): one chain's
 * transition applied to a product-state vector. A loop nest of its own (see chain-kernel.ts on V8).
 */
function applyChain(a: Float64Array, out: Float64Array, P: Float64Array, p0: number, K: number, st: number, S: number): void {
  const block = K * st;
  for (let o = 0; o < S; o += block) {
    for (let j = 0; j < K; j++) {
      const dst = o + j * st;
      for (let r = 0; r < st; r++) out[dst + r] = 0;
      for (let i = 0; i < K; i++) {
        const p = P[p0 + i * K + j]!;
        if (p === 0) continue;
        const src = o + i * st;
        for (let r = 0; r < st; r++) out[dst + r]! += a[src + r]! * p;
      }
    }
  }
}

/** out[.., i, ..] = Σ_j P[i, j] · g[.., j, ..]: the transpose of applyChain (the backward message). */
function applyChainT(g: Float64Array, out: Float64Array, P: Float64Array, p0: number, K: number, st: number, S: number): void {
  const block = K * st;
  for (let o = 0; o < S; o += block) {
    for (let i = 0; i < K; i++) {
      const dst = o + i * st;
      for (let r = 0; r < st; r++) out[dst + r] = 0;
      for (let j = 0; j < K; j++) {
        const p = P[p0 + i * K + j]!;
        if (p === 0) continue;
        const src = o + j * st;
        for (let r = 0; r < st; r++) out[dst + r]! += g[src + r]! * p;
      }
    }
  }
}

/** The forward pass: what the log-normaliser, the posteriors and backward sampling need. */
export interface FactorialSweep {
  readonly layout: FactorialLayout;
  /** Filtered forward messages p(x_t | factors up to t), [B, n, S]. */
  readonly alpha: Float64Array;
  /** Per-step normalisers, [B, n]. */
  readonly c: Float64Array;
  /** log Σ over every joint path, [B]; -Infinity when no path is possible. */
  readonly logZ: Float64Array;
  /** exp(unary - row max) and, per chain, exp(pair - block max). */
  readonly U: Float64Array;
  readonly P: readonly Float64Array[];
}

/** Scaled forward recursion over every sequence, the chains' transitions applied one at a time. */
export function factorialForward(L: FactorialLayout, unary: ArrayLike<number>, pairs: readonly ArrayLike<number>[]): FactorialSweep {
  const { B, n, S, Bu, sizes } = L;
  const U = new Float64Array(Bu * n * S);
  const su = new Float64Array(Bu * n);
  expShifted(unary, S, U, su);
  const P: Float64Array[] = [];
  const sp: Float64Array[] = [];
  sizes.forEach((K, m) => {
    const blocks = L.Bp[m]! * L.Tp[m]!;
    P.push(new Float64Array(blocks * K * K));
    sp.push(new Float64Array(blocks));
    expShifted(pairs[m]!, K * K, P[m]!, sp[m]!);
  });
  const alpha = new Float64Array(B * n * S);
  const c = new Float64Array(B * n);
  const logZ = new Float64Array(B);
  const buf = [new Float64Array(S), new Float64Array(S)] as const;
  for (let b = 0; b < B; b++) logZ[b] = forwardSequence(L, b, U, su, P, sp, alpha, c, buf);
  return { layout: L, alpha, c, logZ, U, P };
}

function forwardSequence(
  L: FactorialLayout, b: number, U: Float64Array, su: Float64Array, P: readonly Float64Array[], sp: readonly Float64Array[],
  alpha: Float64Array, c: Float64Array, buf: readonly [Float64Array, Float64Array],
): number {
  const { n, S, sizes, strides } = L;
  const ub = (L.Bu === 1 ? 0 : b) * n;
  const ab = b * n * S;
  let c0 = 0;
  for (let s = 0; s < S; s++) c0 += alpha[ab + s] = U[ub * S + s]!;
  if (!(c0 > 0)) return c0 === 0 ? -Infinity : NaN;
  for (let s = 0; s < S; s++) alpha[ab + s]! /= c0;
  c[b * n] = c0;
  let shifts = su[ub]!;
  let prod = c0;
  for (let t = 1; t < n; t++) {
    let a = buf[0];
    let out = buf[1];
    a.set(alpha.subarray(ab + (t - 1) * S, ab + t * S));
    for (let m = 0; m < sizes.length; m++) {
      const p0 = pairAt(L, m, b, t);
      applyChain(a, out, P[m]!, p0, sizes[m]!, strides[m]!, S);
      [a, out] = [out, a];
      shifts += sp[m]![p0 / (sizes[m]! * sizes[m]!)]!;
    }
    const cur = ab + t * S;
    const ur = (ub + t) * S;
    let ct = 0;
    for (let s = 0; s < S; s++) ct += alpha[cur + s] = a[s]! * U[ur + s]!;
    if (!(ct > 0)) return ct === 0 ? -Infinity : NaN;
    const inv = 1 / ct;
    for (let s = 0; s < S; s++) alpha[cur + s]! *= inv;
    c[b * n + t] = ct;
    shifts += su[ub + t]!;
    prod *= ct;
    if (!(prod > 1e-250 && prod < 1e250)) {
      shifts += Math.log(prod);
      prod = 1;
    }
  }
  return shifts + Math.log(prod);
}

/** Σ_b w_b × the posterior marginals, in the inputs' layouts: the gradient of Σ_b w_b log Z_b. */
export interface FactorialPosteriors {
  /** [Bu, n, S]: Σ_b w_b p(x_t = s). */
  readonly unary: Float64Array;
  /** Per chain, [Bp_m, Tp_m, K_m, K_m]: Σ_b w_b p(v^m_{t-1} = i, v^m_t = j) (summed over t where Tp_m = 1); empty when not asked for. */
  readonly pairs: readonly Float64Array[];
}

/**
 * The backward pass, weighting sequence b by w[b]. Chain m's pair marginal at
 * step t is P_m(i, j) · Σ_rest a_m[rest, i] · g_{m+1}[rest, j] / c_t, with a_m
 * the forward message after chains < m stepped and g_{m+1} the backward
 * message before chain m's transpose: both rebuilt per step from alpha_{t-1}
 * and beta_t (M + 1 vectors of S, never n·M·S).
 */
export function factorialPosteriors(sw: FactorialSweep, w: ArrayLike<number>, withPairs = true): FactorialPosteriors {
  const L = sw.layout;
  const gU = new Float64Array(L.Bu * L.n * L.S);
  // without pairs (a caller that needs only the state marginals) the pass skips their Σ K_m²·S work per step
  const gP = L.sizes.map((K, m) => new Float64Array(withPairs ? L.Bp[m]! * L.Tp[m]! * K * K : 0));
  const fwd = Array.from({ length: L.sizes.length + 1 }, () => new Float64Array(L.S));
  const scratch = [new Float64Array(L.S), new Float64Array(L.S), new Float64Array(L.S)] as const;
  for (let b = 0; b < L.B; b++) {
    const wb = w[b]!;
    if (wb === 0 || !Number.isFinite(sw.logZ[b]!)) continue;
    backwardSequence(sw, b, wb, gU, withPairs ? gP : undefined, fwd, scratch);
  }
  return { unary: gU, pairs: gP };
}

function backwardSequence(
  sw: FactorialSweep, b: number, w: number, gU: Float64Array, gP: readonly Float64Array[] | undefined,
  fwd: readonly Float64Array[], scratch: readonly [Float64Array, Float64Array, Float64Array],
): void {
  const L = sw.layout;
  const { n, S, sizes, strides } = L;
  const M = sizes.length;
  const { alpha, c, U, P } = sw;
  const ub = (L.Bu === 1 ? 0 : b) * n;
  const ab = b * n * S;
  let beta = scratch[0];
  let g = scratch[1];
  let h = scratch[2];
  beta.fill(1);
  for (let t = n - 1; t >= 1; t--) {
    const cur = ab + t * S;
    const ur = (ub + t) * S;
    for (let s = 0; s < S; s++) gU[ur + s]! += w * alpha[cur + s]! * beta[s]!;
    // forward partials a_0 = alpha_{t-1}, a_{m+1} = a_m stepped by chain m
    if (gP !== undefined) {
      fwd[0]!.set(alpha.subarray(ab + (t - 1) * S, cur));
      for (let m = 0; m < M; m++) applyChain(fwd[m]!, fwd[m + 1]!, P[m]!, pairAt(L, m, b, t), sizes[m]!, strides[m]!, S);
    }
    const inv = 1 / c[b * n + t]!;
    for (let s = 0; s < S; s++) g[s] = U[ur + s]! * beta[s]! * inv;
    for (let m = M - 1; m >= 0; m--) {
      const K = sizes[m]!;
      const st = strides[m]!;
      const p0 = pairAt(L, m, b, t);
      if (gP !== undefined) addPairMarginal(fwd[m]!, g, P[m]!, p0, K, st, S, w, gP[m]!);
      applyChainT(g, h, P[m]!, p0, K, st, S);
      [g, h] = [h, g];
    }
    // g is now beta_{t-1}
    [beta, g] = [g, beta];
  }
  for (let s = 0; s < S; s++) gU[ub * S + s]! += w * alpha[ab + s]! * beta[s]!;
}

/** gP[p0 + i·K + j] += w · P[i, j] · Σ_rest a[rest, i] · g[rest, j] (chain m's axis: stride st, size K). */
function addPairMarginal(a: Float64Array, g: Float64Array, P: Float64Array, p0: number, K: number, st: number, S: number, w: number, gP: Float64Array): void {
  const block = K * st;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const p = P[p0 + i * K + j]!;
      if (p === 0) continue;
      let acc = 0;
      for (let o = 0; o < S; o += block) {
        const ai = o + i * st;
        const gj = o + j * st;
        for (let r = 0; r < st; r++) acc += a[ai + r]! * g[gj + r]!;
      }
      gP[p0 + i * K + j]! += w * p * acc;
    }
  }
}

/** The MAP paths (product-state indices) and their scores. */
export interface FactorialViterbi {
  /** [B, n] row-major, each entry a product state. */
  readonly paths: Int32Array;
  /** max over joint paths of Σ unary + Σ pairs, [B]. */
  readonly scores: Float64Array;
}

/**
 * Max-product in log space, one chain's max at a time, with back-pointers
 * per chain and step ([n, M, S] entries). Exact with -Infinity. Ties go to
 * the lowest previous state of each chain.
 */
export function factorialViterbi(L: FactorialLayout, unary: ArrayLike<number>, pairs: readonly ArrayLike<number>[]): FactorialViterbi {
  const { B, n, S, sizes } = L;
  const M = sizes.length;
  const paths = new Int32Array(B * n);
  const scores = new Float64Array(B);
  const from = backPointers(n * M * S, Math.max(...sizes) <= 256);
  const buf = [new Float64Array(S), new Float64Array(S)] as const;
  // the transitions as float64, read many times a step
  const p64 = pairs.map((p) => (p instanceof Float64Array ? p : Float64Array.from(p)));
  for (let b = 0; b < B; b++) scores[b] = viterbiSequence(L, b, unary, p64, from, buf, paths);
  return { paths, scores };
}

// Every max step writes every back-pointer of its step before the backtrack reads it, so one array serves every
// sequence and every call unfilled (grown when needed): a NILM day's 26 kB at M = 2 was a new array a decode.
// Only arrays up to REUSED_POINTERS entries are kept: a larger one (M = 7 over a day is 22 MB) would stay alive
// for the rest of the process, and beside its Viterbi a fresh array costs nothing.
const REUSED_POINTERS = 1 << 20;
let bytePointers = new Uint8Array(0);
let intPointers = new Int32Array(0);

function backPointers(size: number, small: boolean): Uint8Array | Int32Array {
  if (size > REUSED_POINTERS) return small ? new Uint8Array(size) : new Int32Array(size);
  if (small) {
    if (bytePointers.length < size) bytePointers = new Uint8Array(size);
    return bytePointers;
  }
  if (intPointers.length < size) intPointers = new Int32Array(size);
  return intPointers;
}

function viterbiSequence(
  L: FactorialLayout, b: number, unary: ArrayLike<number>, pairs: readonly Float64Array[],
  from: Uint8Array | Int32Array, buf: readonly [Float64Array, Float64Array], paths: Int32Array,
): number {
  const { n, S, sizes, strides } = L;
  const M = sizes.length;
  const u0 = (L.Bu === 1 ? 0 : b) * n * S;
  // chain m's block at step t is pairAt(L, m, b, t) = first[m] + (t - 1) · step[m], hoisted out of the time loop
  const first = Int32Array.from(sizes, (_, m) => pairAt(L, m, b, 1));
  const step = Int32Array.from(sizes, (K, m) => (L.Tp[m] === 1 ? 0 : K * K));
  const K = Int32Array.from(sizes);
  const st = Int32Array.from(strides);
  let a = buf[0];
  let out = buf[1];
  for (let s = 0; s < S; s++) a[s] = unary[u0 + s]!;
  for (let t = 1; t < n; t++) {
    for (let m = 0; m < M; m++) {
      maxChain(a, out, pairs[m]!, first[m]! + (t - 1) * step[m]!, K[m]!, st[m]!, S, from, (t * M + m) * S);
      [a, out] = [out, a];
    }
    const ur = u0 + t * S;
    for (let s = 0; s < S; s++) a[s]! += unary[ur + s]!;
  }
  let best = 0;
  for (let s = 1; s < S; s++) if (a[s]! > a[best]!) best = s;
  const row = b * n;
  paths[row + n - 1] = best;
  let s = best;
  for (let t = n - 1; t > 0; t--) {
    for (let m = M - 1; m >= 0; m--) {
      const j = Math.floor(s / st[m]!) % K[m]!;
      s += (from[(t * M + m) * S + s]! - j) * st[m]!;
    }
    paths[row + t - 1] = s;
  }
  return a[best]!;
}

/**
 * out[.., j, ..] = max_i a[.., i, ..] + pair[i, j] along chain m's axis (stride st, size K), the arg max
 * into from[f0 + state]. Each output's max runs from i = 0 and is raised only by a strictly greater
 * value: ties keep the lowest i, and a state no i reaches gets -Infinity from 0. Two and three states
 * (on/off and off/standby/on appliances) have loops of their own, the K × K block in locals and the K
 * inputs of a column read once for its K outputs: the general loop's per-output bookkeeping is what
 * costs at these sizes (n = 1 440, 3 × 3: 0.30 → 0.16 ms).
 */
function maxChain(
  a: Float64Array, out: Float64Array, pair: Float64Array, p0: number, K: number, st: number, S: number,
  from: Uint8Array | Int32Array, f0: number,
): void {
  if (K === 2) maxChain2(a, out, pair, p0, st, S, from, f0);
  else if (K === 3) maxChain3(a, out, pair, p0, st, S, from, f0);
  else maxChainK(a, out, pair, p0, K, st, S, from, f0);
}

function maxChain2(a: Float64Array, out: Float64Array, pair: Float64Array, p0: number, st: number, S: number, from: Uint8Array | Int32Array, f0: number): void {
  const q00 = pair[p0]!, q01 = pair[p0 + 1]!;
  const q10 = pair[p0 + 2]!, q11 = pair[p0 + 3]!;
  for (let o = 0; o < S; o += 2 * st) {
    for (let r = o, end = o + st; r < end; r++) {
      const a0 = a[r]!, a1 = a[r + st]!;
      let best = a0 + q00, arg = 0, v = a1 + q10;
      if (v > best) { best = v; arg = 1; }
      out[r] = best;
      from[f0 + r] = arg;
      best = a0 + q01; arg = 0; v = a1 + q11;
      if (v > best) { best = v; arg = 1; }
      out[r + st] = best;
      from[f0 + r + st] = arg;
    }
  }
}

function maxChain3(a: Float64Array, out: Float64Array, pair: Float64Array, p0: number, st: number, S: number, from: Uint8Array | Int32Array, f0: number): void {
  const q00 = pair[p0]!, q01 = pair[p0 + 1]!, q02 = pair[p0 + 2]!;
  const q10 = pair[p0 + 3]!, q11 = pair[p0 + 4]!, q12 = pair[p0 + 5]!;
  const q20 = pair[p0 + 6]!, q21 = pair[p0 + 7]!, q22 = pair[p0 + 8]!;
  const st2 = 2 * st;
  for (let o = 0; o < S; o += 3 * st) {
    for (let r = o, end = o + st; r < end; r++) {
      const a0 = a[r]!, a1 = a[r + st]!, a2 = a[r + st2]!;
      let best = a0 + q00, arg = 0, v = a1 + q10;
      if (v > best) { best = v; arg = 1; }
      v = a2 + q20;
      if (v > best) { best = v; arg = 2; }
      out[r] = best;
      from[f0 + r] = arg;
      best = a0 + q01; arg = 0; v = a1 + q11;
      if (v > best) { best = v; arg = 1; }
      v = a2 + q21;
      if (v > best) { best = v; arg = 2; }
      out[r + st] = best;
      from[f0 + r + st] = arg;
      best = a0 + q02; arg = 0; v = a1 + q12;
      if (v > best) { best = v; arg = 1; }
      v = a2 + q22;
      if (v > best) { best = v; arg = 2; }
      out[r + st2] = best;
      from[f0 + r + st2] = arg;
    }
  }
}

function maxChainK(a: Float64Array, out: Float64Array, pair: Float64Array, p0: number, K: number, st: number, S: number, from: Uint8Array | Int32Array, f0: number): void {
  for (let o = 0; o < S; o += K * st) {
    for (let j = 0; j < K; j++) {
      const q0 = pair[p0 + j]!;
      const dst = o + j * st;
      for (let r = 0; r < st; r++) {
        let best = a[o + r]! + q0;
        let arg = 0;
        for (let i = 1; i < K; i++) {
          const v = a[o + i * st + r]! + pair[p0 + i * K + j]!;
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        out[dst + r] = best;
        from[f0 + dst + r] = arg;
      }
    }
  }
}

/**
 * Forward filtering, backward sampling: one draw of sequence b's joint path
 * (product states) into out[offset .. offset + n). x_{n-1} from its filtered
 * marginal, then x_t given x_{t+1} from alpha_t(x) · Π_m P_m(x_m, x_{t+1,m}).
 * A sequence with no possible path gets state 0.
 */
export function factorialSample(sw: FactorialSweep, b: number, rng: () => number, out: Int32Array, offset: number): void {
  const L = sw.layout;
  const { n, S, sizes, strides } = L;
  if (!Number.isFinite(sw.logZ[b]!)) {
    out.fill(0, offset, offset + n);
    return;
  }
  const ab = b * n * S;
  const wts = new Float64Array(S);
  out[offset + n - 1] = draw(wts.fill(0).map((_, s) => sw.alpha[ab + (n - 1) * S + s]!), rng);
  for (let t = n - 2; t >= 0; t--) {
    const next = out[offset + t + 1]!;
    for (let s = 0; s < S; s++) {
      let v = sw.alpha[ab + t * S + s]!;
      for (let m = 0; m < sizes.length && v > 0; m++) {
        const K = sizes[m]!;
        const st = strides[m]!;
        v *= sw.P[m]![pairAt(L, m, b, t + 1) + (Math.floor(s / st) % K) * K + (Math.floor(next / st) % K)]!;
      }
      wts[s] = v;
    }
    out[offset + t] = draw(wts, rng);
  }
}

/** A draw proportional to w; round-off that leaves the uniform unspent goes to the last state with mass. */
function draw(w: Float64Array, rng: () => number): number {
  let total = 0;
  for (let k = 0; k < w.length; k++) total += w[k]!;
  let r = rng() * total;
  let last = 0;
  for (let k = 0; k < w.length; k++) {
    if (w[k]! > 0) last = k;
    r -= w[k]!;
    if (r < 0) return k;
  }
  return last;
}
