/**
 * Pyro's DiscreteHMM convention on top of the chain kernel (chain-kernel.ts):
 * `logInit` is the distribution of the state before the first step; step t
 * transitions with `logTrans[t]` and emits `emit[t]`. That is a chain of
 * T + 1 states whose unary terms are logInit, then the emissions, and whose
 * pair terms are the transitions. Shapes (a leading 1 broadcasts):
 *   logInit  [Bi, K] or [K]                  Bi ∈ {1, B}
 *   logTrans [Bt, Tt, K, K] or [Tt, K, K]    Bt ∈ {1, B}, Tt ∈ {1, T}; [i, j] = log p(next j | prev i)
 *   emit     [Be, T, K]                      Be ∈ {1, B}; log p(y_t | z_t = k)
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLShapeError, formatShape } from "../errors.js";
import { type ChainLayout, chainForward, chainPosteriors, chainViterbi, sameBlock } from "./chain-kernel.js";
import { customGradient } from "./custom-grad.js";
import { copyInto, float64Sums, writeTensor, writeTensors } from "./kernel-io.js";

interface HmmLayout {
  B: number;
  T: number;
  K: number;
  Bi: number;
  Bt: number;
  Tt: number;
  Be: number;
}

function layoutOf(who: string, logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): HmmLayout {
  const bad = (why: string) =>
    new PPLShapeError(
      `${who}: ${why} (logInit ${formatShape(logInit.shape)}, logTrans ${formatShape(logTrans.shape)}, emit ${formatShape(emit.shape)})`,
      { expected: "logInit [B|1, K] or [K], logTrans [B|1, T|1, K, K] or [T|1, K, K], emit [B|1, T, K]" },
    );
  if (logInit.rank < 1 || logInit.rank > 2 || logTrans.rank < 3 || logTrans.rank > 4 || emit.rank !== 3) throw bad("wrong ranks");
  const K = logInit.shape[logInit.rank - 1]!;
  const T = emit.shape[1]!;
  const Bi = logInit.rank === 2 ? logInit.shape[0]! : 1;
  const [Bt, Tt, K1, K2] = (logTrans.rank === 4 ? logTrans.shape : [1, ...logTrans.shape]) as [number, number, number, number];
  const Be = emit.shape[0]!;
  if (K1 !== K || K2 !== K || emit.shape[2] !== K) throw bad("state sizes differ");
  if (T < 1) throw bad("no steps");
  if (Tt !== 1 && Tt !== T) throw bad(`transition time dim ${Tt} is neither 1 nor T=${T}`);
  const B = Math.max(Bi, Bt, Be);
  for (const b of [Bi, Bt, Be]) if (b !== 1 && b !== B) throw bad("batch sizes do not broadcast");
  return { B, T, K, Bi, Bt, Tt, Be };
}

/** The chain's unary terms [Bu, T+1, K]: each member's init row, then its emissions (Bu = B when `full`). */
function unaryOf(H: HmmLayout, init: ArrayLike<number>, emit: ArrayLike<number>, full = false): Float64Array {
  const { T, K, Bi, Be } = H;
  const Bu = full ? H.B : Math.max(Bi, Be);
  const u = new Float64Array(Bu * (T + 1) * K);
  for (let b = 0; b < Bu; b++) {
    const row = b * (T + 1) * K;
    const ib = (Bi === 1 ? 0 : b) * K;
    for (let k = 0; k < K; k++) u[row + k] = init[ib + k]!;
    const eb = (Be === 1 ? 0 : b) * T * K;
    for (let i = 0; i < T * K; i++) u[row + K + i] = emit[eb + i]!;
  }
  return u;
}

function chainOf(H: HmmLayout, full = false): ChainLayout {
  return { B: H.B, n: H.T + 1, K: H.K, Bu: full ? H.B : Math.max(H.Bi, H.Be), Bp: H.Bt, Tp: H.Tt };
}

/**
 * Each length-K row of x log-normalised, and its probabilities (NaN rows where a row is all -Infinity, as
 * tf.logSumExp gives). A row equal to the same row of the previous K × K block (a time-homogeneous
 * transition matrix spread over the steps) copies that row's results instead of taking its exps and log again.
 */
function logSoftmaxRows(x: ArrayLike<number>, K: number): { log: Float64Array; p: Float64Array } {
  const log = new Float64Array(x.length);
  const p = new Float64Array(x.length);
  const KK = K * K;
  for (let r = 0; r < x.length; r += K) {
    if (r >= KK && sameBlock(x, r - KK, x, r, K)) {
      for (let k = r; k < r + K; k++) {
        log[k] = log[k - KK]!;
        p[k] = p[k - KK]!;
      }
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, x[r + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(x[r + k]! - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < K; k++) {
      log[r + k] = x[r + k]! - lse;
      p[r + k] = Math.exp(log[r + k]!);
    }
  }
  return { log, p };
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
 * The unary posteriors [Bu, T+1, K] split back into logInit's and emit's layouts (summed where they broadcast):
 * logInit's returned, emit's written to `emit` (float32; summed in float64 first where Be = 1 < Bu).
 */
function splitUnary(H: HmmLayout, gU: Float64Array, emit: Float32Array): Float64Array {
  const { T, K, Bi, Be } = H;
  const Bu = Math.max(Bi, Be);
  const init = new Float64Array(Bi * K);
  const sums = Be === Bu ? undefined : float64Sums(T * K);
  for (let b = 0; b < Bu; b++) {
    const row = b * (T + 1) * K;
    const ib = (Bi === 1 ? 0 : b) * K;
    for (let k = 0; k < K; k++) init[ib + k]! += gU[row + k]!;
    if (sums === undefined) for (let i = 0; i < T * K; i++) emit[b * T * K + i] = gU[row + K + i]!;
    else for (let i = 0; i < T * K; i++) sums[i]! += gU[row + K + i]!;
  }
  if (sums !== undefined) copyInto(emit, sums);
  return init;
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

/** log p(y) per batch member, [B]; differentiable in all three inputs. */
export function hmmLogLikelihood(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor, options: HmmLogLikelihoodOptions = {}): tf.Tensor {
  const H = layoutOf("hmmLogLikelihood", logInit, logTrans, emit);
  const normalise = options.normalise ?? false;
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>((inputs) => {
    const shapes = inputs.map((t) => t.shape);
    // what the gradient needs outlives the inputs' heap views: the sweep and the normalised rows are copies
    let sw: ReturnType<typeof chainForward> | undefined;
    let init: ReturnType<typeof logSoftmaxRows> | undefined;
    let trans: ReturnType<typeof logSoftmaxRows> | undefined;
    const value = writeTensor([H.B], inputs, (logZ, [li, lt, em]) => {
      init = normalise ? logSoftmaxRows(li!, H.K) : undefined;
      trans = normalise ? logSoftmaxRows(lt!, H.K) : undefined;
      sw = chainForward(chainOf(H), unaryOf(H, init?.log ?? li!, em!), trans?.log ?? lt!, true);
      copyInto(logZ, sw.logZ);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        writeTensors(shapes, [dy], (outs, [w]) => {
          const g = chainPosteriors(sw!, w!);
          const gInit = splitUnary(H, g.unary, outs[2]!);
          const gTrans = g.pair;
          if (init !== undefined && trans !== undefined) {
            throughLogSoftmax(gInit, init.p, H.K);
            throughLogSoftmax(gTrans, trans.p, H.K);
          }
          copyInto(outs[0]!, gInit);
          copyInto(outs[1]!, gTrans);
        }),
    };
  });
  return op(logInit, logTrans, emit);
}

/**
 * The most likely state path (Viterbi) of each batch member, the state
 * before the first step maximised out: paths[b][t] is the state after step
 * t's transition, logProbs[b] the path's log joint. Rows are used as given.
 * DiscreteHMM's convention (docs/discrete-hmm.md): a transition before the first emission.
 *
 * @param logInit log-probs of the state before the first step, `[B or 1, K]` or `[K]`
 * @param logTrans log transition matrices, `[B or 1, T or 1, K, K]` or `[T or 1, K, K]` (source state on dim -2)
 * @param emit emission log-probs, `[B or 1, T, K]`
 * @example
 * const emit = dist.Normal(locs, scales).logProb(y.expandDims(-1)).expandDims(0); // [1, T, K]
 * const { paths } = hmmViterbi(logInit, logTrans.expandDims(0), emit);
 */
export function hmmViterbi(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): {
  /** One Int32Array of T states per batch member. */
  paths: Int32Array[];
  /** Each path's log joint probability. */
  logProbs: Float64Array;
} {
  const H = layoutOf("hmmViterbi", logInit, logTrans, emit);
  const v = chainViterbi(chainOf(H), unaryOf(H, logInit.dataSync(), emit.dataSync()), logTrans.dataSync());
  const n = H.T + 1;
  const paths = Array.from({ length: H.B }, (_, b) => v.paths.slice(b * n + 1, (b + 1) * n));
  return { paths, logProbs: v.scores };
}

/**
 * Each batch member's posterior state marginals p(z_t = k | y), [B, T, K]
 * row-major, and its filtered final-state posterior p(z_{T-1} = k | y), [B, K]
 * (the state before the first step summed out). Rows of logInit and logTrans
 * are used as given (normalise them first). DiscreteHMM's `marginals` and
 * `filter` read these; a member with no possible path gets zeros.
 */
export function hmmPosteriorMarginals(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): { marginals: Float64Array; last: Float64Array } {
  const H = layoutOf("DiscreteHMM posterior", logInit, logTrans, emit);
  const { B, T, K } = H;
  const sw = chainForward(chainOf(H, true), unaryOf(H, logInit.dataSync(), emit.dataSync(), true), logTrans.dataSync(), true);
  const post = chainPosteriors(sw, new Float64Array(B).fill(1));
  const marginals = new Float64Array(B * T * K);
  const last = new Float64Array(B * K);
  const n = T + 1;
  for (let b = 0; b < B; b++) {
    marginals.set(post.unary.subarray((b * n + 1) * K, (b + 1) * n * K), b * T * K);
    // alpha is normalised per step: its last row is the filtered posterior
    if (Number.isFinite(sw.logZ[b]!)) last.set(sw.alpha.subarray((b * n + n - 1) * K, (b + 1) * n * K), b * K);
  }
  return { marginals, last };
}
