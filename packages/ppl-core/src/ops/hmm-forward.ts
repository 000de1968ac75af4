/**
 * The HMM marginal log-likelihood as ONE differentiable op: forward and
 * backward recursions in float64 JS inside a custom gradient. tfjs spends
 * 2–10 µs per op, so T separate logsumexp ops cost far more than the
 * arithmetic; here the whole chain is one op, exact in float64.
 *
 * Convention (Pyro's DiscreteHMM): `logInit` is the distribution of the state
 * before the first step; step t transitions with `logTrans[t]` and emits
 * `emit[t]`. Shapes (leading dim 1 broadcasts):
 *   logInit  [Bi, K]          Bi ∈ {1, B}
 *   logTrans [Bt, Tt, K, K]   Bt ∈ {1, B}, Tt ∈ {1, T}; [i, j] = log p(next j | prev i)
 *   emit     [Be, T, K]       Be ∈ {1, B}; log p(y_t | z_t = k)
 * Result: [B], the log-likelihood of each batch member.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLShapeError, formatShape } from "../errors.js";
import { customGradient } from "./custom-grad.js";

interface Layout {
  B: number;
  T: number;
  K: number;
  Bi: number;
  Bt: number;
  Tt: number;
  Be: number;
}

function layoutOf(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): Layout {
  const bad = (why: string) =>
    new PPLShapeError(
      `hmmLogLikelihood: ${why} (logInit ${formatShape(logInit.shape)}, logTrans ${formatShape(logTrans.shape)}, emit ${formatShape(emit.shape)})`,
      { expected: "logInit [B|1, K] or [K], logTrans [B|1, T|1, K, K] or [T|1, K, K], emit [B|1, T, K]" },
    );
  // a missing batch dim on logInit or logTrans is batch size 1 (saves the caller a reshape and its backward)
  if (logInit.rank < 1 || logInit.rank > 2 || logTrans.rank < 3 || logTrans.rank > 4 || emit.rank !== 3) throw bad("wrong ranks");
  const K = logInit.shape[logInit.rank - 1]!;
  const T = emit.shape[1]!;
  const Bi = logInit.rank === 2 ? logInit.shape[0]! : 1;
  const [Bt, Tt, K1, K2] = (logTrans.rank === 4 ? logTrans.shape : [1, ...logTrans.shape]) as [number, number, number, number];
  const Be = emit.shape[0]!;
  if (K1 !== K || K2 !== K || emit.shape[2] !== K) throw bad("state sizes differ");
  if (Tt !== 1 && Tt !== T) throw bad(`transition time dim ${Tt} is neither 1 nor T=${T}`);
  const B = Math.max(Bi, Bt, Be);
  for (const b of [Bi, Bt, Be]) if (b !== 1 && b !== B) throw bad("batch sizes do not broadcast");
  return { B, T, K, Bi, Bt, Tt, Be };
}

/**
 * Scaled forward–backward in probability space (Rabiner): one exp per
 * transition and emission entry instead of per path term. Emissions are
 * shifted by their per-step max so no step underflows.
 */
interface Sweep {
  /** Normalised forward messages, slot t+1 for step t (slot 0: the state before step 0). */
  alpha: Float64Array;
  /** Per-step normalisers c_t. */
  scale: Float64Array;
  loglik: Float64Array;
  /** exp(logTrans) (each row normalised when the op normalises) and exp(emit - max_t). */
  P: Float64Array;
  E: Float64Array;
  /** softmax of each logInit row, when the op normalises its inputs. */
  initP: Float64Array | null;
}

/** softmax of each length-K row of x (a NaN row where the row is all -Infinity, as normalising by tf.logSumExp gives). */
function softmaxRows(x: ArrayLike<number>, K: number): Float64Array {
  const p = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += K) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, x[r + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += p[r + k] = Math.exp(x[r + k]! - m);
    const inv = 1 / s;
    for (let k = 0; k < K; k++) p[r + k]! *= inv;
  }
  return p;
}

function forward(L: Layout, init: ArrayLike<number>, trans: ArrayLike<number>, emit: ArrayLike<number>, normalise: boolean): Sweep {
  const { B, T, K, Tt } = L;
  // Each loop nest is its own function, and the recursion runs per sequence: V8 then optimises
  // them whole after a few calls. One long function entered once per step ran on on-stack-replaced
  // code compiled before the code after its loops had type feedback, and deoptimised every call
  // (V8 keeps reusing that code).
  const P = normalise ? softmaxRows(trans, K) : Float64Array.from(trans, Math.exp);
  const initP = normalise ? softmaxRows(init, K) : null;
  const E = new Float64Array(emit.length);
  const shift = new Float64Array(emit.length / K);
  shiftedExp(emit, K, E, shift);
  const alpha = new Float64Array(B * (T + 1) * K);
  const scale = new Float64Array(B * T);
  const loglik = new Float64Array(B);
  for (let b = 0; b < B; b++) loglik[b] = forwardSequence(T, K, Tt, offsetsOf(L, b), init, P, E, shift, alpha, scale, normalise);
  return { alpha, scale, loglik, P, E, initP };
}

function offsetsOf({ T, K, Bi, Bt, Tt, Be }: Layout, b: number): SequenceOffsets {
  return {
    init: (Bi === 1 ? 0 : b) * K,
    trans: (Bt === 1 ? 0 : b) * Tt * K * K,
    emitRow: (Be === 1 ? 0 : b) * T,
    alpha: b * (T + 1) * K,
    scale: b * T,
  };
}

/** Where one batch member's rows start in each array. */
interface SequenceOffsets {
  init: number;
  trans: number;
  /** Row (step) index of its first emission row. */
  emitRow: number;
  alpha: number;
  scale: number;
}

/** The scaled forward recursion of one sequence: fills its alpha and scale slots, returns its log-likelihood. */
function forwardSequence(
  T: number, K: number, Tt: number, at: SequenceOffsets, init: ArrayLike<number>, P: Float64Array, E: Float64Array,
  shift: Float64Array, alpha: Float64Array, scale: Float64Array, normalise: boolean,
): number {
  const ab = at.alpha;
  let m0 = -Infinity;
  for (let k = 0; k < K; k++) m0 = Math.max(m0, init[at.init + k]!);
  let c0 = 0;
  for (let k = 0; k < K; k++) c0 += alpha[ab + k] = Math.exp(init[at.init + k]! - m0);
  for (let k = 0; k < K; k++) alpha[ab + k]! /= c0;
  // unnormalised, logInit's total mass is part of the likelihood; normalised, it is 1
  let logZ = normalise ? 0 : m0 + Math.log(c0);
  // the normalisers' product, logged only when it nears the float64 range (a log per step costs more than the step)
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const tr = at.trans + (Tt === 1 ? 0 : t) * K * K;
    const prev = ab + t * K;
    const cur = prev + K;
    const er = (at.emitRow + t) * K;
    let c = 0;
    for (let j = 0; j < K; j++) {
      let acc = 0;
      for (let i = 0; i < K; i++) acc += alpha[prev + i]! * P[tr + i * K + j]!;
      const v = acc * E[er + j]!;
      alpha[cur + j] = v;
      c += v;
    }
    scale[at.scale + t] = c;
    const inv = 1 / c;
    for (let j = 0; j < K; j++) alpha[cur + j]! *= inv;
    logZ += shift[at.emitRow + t]!;
    prod *= c;
    if (!(prod > 1e-250 && prod < 1e250)) {
      logZ += Math.log(prod);
      prod = 1;
    }
  }
  return logZ + Math.log(prod);
}

/**
 * Into E, exp(emit - max) per length-K row; into shift, the maxes (0 for an all -Infinity row).
 * Nothing follows the loop, not even an object literal to return: V8 compiles the loop on the
 * stack before the code after it has type feedback, and that code then deoptimised every call.
 */
function shiftedExp(emit: ArrayLike<number>, K: number, E: Float64Array, shift: Float64Array): void {
  const rows = shift.length;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, emit[r * K + k]!);
    if (m === -Infinity) m = 0;
    shift[r] = m;
    for (let k = 0; k < K; k++) E[r * K + k] = Math.exp(emit[r * K + k]! - m);
  }
}

export interface HmmLogLikelihoodOptions {
  /**
   * Log-normalise every row of logInit and logTrans (over the last axis)
   * inside the op, as DiscreteHMM does to its logits: the same result as
   * normalising them with tfjs ops first, without those ops and their
   * backward passes. Default false: rows are used as given.
   */
  normalise?: boolean;
}

/** log p(y) per batch member; differentiable in all three inputs. */
export function hmmLogLikelihood(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor, options: HmmLogLikelihoodOptions = {}): tf.Tensor {
  const L = layoutOf(logInit, logTrans, emit);
  const normalise = options.normalise ?? false;
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([li, lt, em]) => {
    // the backward pass reuses the forward messages: plain arrays, safe to keep in a closure
    const sw = forward(L, li.dataSync(), lt.dataSync(), em.dataSync(), normalise);
    const shapes = [li.shape, lt.shape, em.shape] as const;
    return {
      value: tf.tensor1d(Float32Array.from(sw.loglik)),
      gradFunc: (dy: tf.Tensor) => {
        const g = sweepGradients(L, sw, dy.dataSync());
        return [g.init, g.trans, g.emit].map((x, i) => tf.tensor(Float32Array.from(x), shapes[i]));
      },
    };
  });
  return op(logInit, logTrans, emit);
}

/** The gradients of Σ_b dy_b · loglik_b in logInit, logTrans and the emissions, as float64 arrays in the inputs' layouts. */
function sweepGradients(L: Layout, sw: Sweep, dy: ArrayLike<number>): Grads {
  const { Bi, Bt, Tt, Be, T, K } = L;
  // float64 sums: shared inputs (Bi, Bt or Be = 1) add up B * T terms
  const g: Grads = { init: new Float64Array(Bi * K), trans: new Float64Array(Bt * Tt * K * K), emit: new Float64Array(Be * T * K) };
  backwardAll(L, sw, dy, g);
  if (sw.initP !== null) {
    // through the normalisation x -> x - logsumexp(x) of each row
    throughLogSoftmax(g.init, sw.initP, K);
    throughLogSoftmax(g.trans, sw.P, K);
  }
  return g;
}

function backwardAll(L: Layout, sw: Sweep, dy: ArrayLike<number>, g: Grads): void {
  const scratch = new Float64Array(3 * L.K);
  for (let b = 0; b < L.B; b++) {
    const w = dy[b]!;
    if (w !== 0 && Number.isFinite(sw.loglik[b]!)) backwardSequence(L.T, L.K, L.Tt, offsetsOf(L, b), w, sw, g, scratch);
  }
}

interface Grads {
  init: Float64Array;
  trans: Float64Array;
  emit: Float64Array;
}

/** One sequence's backward recursion, adding w times its posteriors into the gradients (see forwardSequence). */
function backwardSequence(T: number, K: number, Tt: number, at: SequenceOffsets, w: number, sw: Sweep, g: Grads, scratch: Float64Array): void {
  const { alpha, scale, P, E } = sw;
  const gEmit = g.emit;
  const gTrans = g.trans;
  const ab = at.alpha;
  // scratch holds beta (slots 0..K-1), the next beta (K..2K-1) and E·beta/c (2K..3K-1)
  let beta = 0;
  let next = K;
  const eBeta = 2 * K;
  for (let j = 0; j < K; j++) scratch[j] = 1;
  for (let t = T - 1; t >= 0; t--) {
    const tr = at.trans + (Tt === 1 ? 0 : t) * K * K;
    const prev = ab + t * K;
    const cur = prev + K;
    const er = (at.emitRow + t) * K;
    const inv = 1 / scale[at.scale + t]!;
    for (let j = 0; j < K; j++) {
      const bj = scratch[beta + j]!;
      // posterior marginal of z_t
      gEmit[er + j]! += w * alpha[cur + j]! * bj;
      scratch[eBeta + j] = E[er + j]! * bj * inv;
    }
    for (let i = 0; i < K; i++) {
      let acc = 0;
      const wa = w * alpha[prev + i]!;
      const row = tr + i * K;
      for (let j = 0; j < K; j++) {
        const x = P[row + j]! * scratch[eBeta + j]!;
        acc += x;
        // pairwise posterior of (z_{t-1} = i, z_t = j)
        gTrans[row + j]! += wa * x;
      }
      scratch[next + i] = acc;
    }
    const swap = beta;
    beta = next;
    next = swap;
  }
  // posterior of the state before the first step
  for (let i = 0; i < K; i++) g.init[at.init + i]! += w * alpha[ab + i]! * scratch[beta + i]!;
}

/** In place, per length-K row: g - p Σ g, the gradient through a log-softmax whose output is log p. */
function throughLogSoftmax(g: Float64Array, p: Float64Array, K: number): void {
  for (let r = 0; r < g.length; r += K) {
    let s = 0;
    for (let k = 0; k < K; k++) s += g[r + k]!;
    for (let k = 0; k < K; k++) g[r + k] = g[r + k]! - p[r + k]! * s;
  }
}

/**
 * The most likely state path (Viterbi) of each batch member, in float64 JS.
 * Same layout as hmmLogLikelihood; returns paths[b][t] and their log-probabilities.
 */
export function hmmViterbi(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): { paths: Int32Array[]; logProbs: Float64Array } {
  const L = layoutOf(logInit, logTrans, emit);
  const { B, T, K, Bi, Bt, Tt, Be } = L;
  const init = logInit.dataSync();
  const trans = logTrans.dataSync();
  const em = emit.dataSync();
  const paths: Int32Array[] = [];
  const logProbs = new Float64Array(B);
  let delta = new Float64Array(K);
  let next = new Float64Array(K);
  const back = new Int32Array(T * K);
  for (let b = 0; b < B; b++) {
    const ib = (Bi === 1 ? 0 : b) * K;
    const tb = (Bt === 1 ? 0 : b) * Tt * K * K;
    const eb = (Be === 1 ? 0 : b) * T * K;
    for (let k = 0; k < K; k++) delta[k] = init[ib + k]!;
    for (let t = 0; t < T; t++) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      for (let j = 0; j < K; j++) {
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < K; i++) {
          const v = delta[i]! + trans[tr + i * K + j]!;
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        next[j] = best + em[eb + t * K + j]!;
        back[t * K + j] = arg;
      }
      [delta, next] = [next, delta];
    }
    let arg = 0;
    for (let k = 1; k < K; k++) if (delta[k]! > delta[arg]!) arg = k;
    logProbs[b] = delta[arg]!;
    const path = new Int32Array(T);
    path[T - 1] = arg;
    for (let t = T - 1; t > 0; t--) path[t - 1] = back[t * K + path[t]!]!;
    paths.push(path);
  }
  return { paths, logProbs };
}
