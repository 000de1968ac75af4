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
      { expected: "logInit [B|1, K], logTrans [B|1, T|1, K, K], emit [B|1, T, K]" },
    );
  if (logInit.rank !== 2 || logTrans.rank !== 4 || emit.rank !== 3) throw bad("wrong ranks");
  const K = logInit.shape[1]!;
  const T = emit.shape[1]!;
  const [Bi, , ] = logInit.shape as [number, number];
  const [Bt, Tt, K1, K2] = logTrans.shape as [number, number, number, number];
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
  /** exp(logTrans) and exp(emit - max_t). */
  P: Float64Array;
  E: Float64Array;
}

function forward(L: Layout, init: ArrayLike<number>, trans: ArrayLike<number>, emit: ArrayLike<number>): Sweep {
  const { B, T, K, Bi, Bt, Tt, Be } = L;
  const P = new Float64Array(trans.length);
  for (let n = 0; n < trans.length; n++) P[n] = Math.exp(trans[n]!);
  const E = new Float64Array(emit.length);
  const shift = new Float64Array(Be * T);
  for (let r = 0; r < Be * T; r++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, emit[r * K + k]!);
    if (m === -Infinity) m = 0;
    shift[r] = m;
    for (let k = 0; k < K; k++) E[r * K + k] = Math.exp(emit[r * K + k]! - m);
  }
  const alpha = new Float64Array(B * (T + 1) * K);
  const scale = new Float64Array(B * T);
  const loglik = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const ib = (Bi === 1 ? 0 : b) * K;
    const tb = (Bt === 1 ? 0 : b) * Tt * K * K;
    const eb = (Be === 1 ? 0 : b) * T;
    const ab = b * (T + 1) * K;
    let m0 = -Infinity;
    for (let k = 0; k < K; k++) m0 = Math.max(m0, init[ib + k]!);
    let c0 = 0;
    for (let k = 0; k < K; k++) c0 += alpha[ab + k] = Math.exp(init[ib + k]! - m0);
    for (let k = 0; k < K; k++) alpha[ab + k]! /= c0;
    let logZ = m0 + Math.log(c0);
    for (let t = 0; t < T; t++) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      const prev = ab + t * K;
      const cur = prev + K;
      const er = (eb + t) * K;
      let c = 0;
      for (let j = 0; j < K; j++) {
        let acc = 0;
        for (let i = 0; i < K; i++) acc += alpha[prev + i]! * P[tr + i * K + j]!;
        const v = acc * E[er + j]!;
        alpha[cur + j] = v;
        c += v;
      }
      scale[b * T + t] = c;
      for (let j = 0; j < K; j++) alpha[cur + j]! /= c;
      logZ += Math.log(c) + shift[eb + t]!;
    }
    loglik[b] = logZ;
  }
  return { alpha, scale, loglik, P, E };
}

/** log p(y) per batch member; differentiable in all three inputs. */
export function hmmLogLikelihood(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): tf.Tensor {
  const L = layoutOf(logInit, logTrans, emit);
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([li, lt, em]) => {
    // the backward pass reuses the forward messages: plain arrays, safe to keep in a closure
    const sw = forward(L, li.dataSync(), lt.dataSync(), em.dataSync());
    const shapes = [li.shape, lt.shape, em.shape] as const;
    return {
      value: tf.tensor1d(Float32Array.from(sw.loglik)),
      gradFunc: (dy: tf.Tensor) => gradients(L, sw, dy.dataSync(), shapes),
    };
  });
  return op(logInit, logTrans, emit);
}

function gradients(L: Layout, sw: Sweep, dy: ArrayLike<number>, shapes: readonly [number[], number[], number[]]): tf.Tensor[] {
  const { B, T, K, Bi, Bt, Tt, Be } = L;
  const { alpha, scale, loglik, P, E } = sw;
  const gInit = new Float32Array(Bi * K);
  const gTrans = new Float32Array(Bt * Tt * K * K);
  const gEmit = new Float32Array(Be * T * K);
  let beta = new Float64Array(K);
  let prevBeta = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const w = dy[b]!;
    if (w === 0 || !Number.isFinite(loglik[b]!)) continue;
    const ib = (Bi === 1 ? 0 : b) * K;
    const tb = (Bt === 1 ? 0 : b) * Tt * K * K;
    const eb = (Be === 1 ? 0 : b) * T;
    const ab = b * (T + 1) * K;
    beta.fill(1);
    for (let t = T - 1; t >= 0; t--) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      const prev = ab + t * K;
      const cur = prev + K;
      const er = (eb + t) * K;
      const c = scale[b * T + t]!;
      // posterior marginal of z_t
      for (let j = 0; j < K; j++) gEmit[er + j]! += w * alpha[cur + j]! * beta[j]!;
      for (let i = 0; i < K; i++) {
        let acc = 0;
        for (let j = 0; j < K; j++) {
          const x = P[tr + i * K + j]! * E[er + j]! * beta[j]! / c;
          acc += x;
          // pairwise posterior of (z_{t-1} = i, z_t = j)
          gTrans[tr + i * K + j]! += w * alpha[prev + i]! * x;
        }
        prevBeta[i] = acc;
      }
      [beta, prevBeta] = [prevBeta, beta];
    }
    // posterior of the state before the first step
    for (let i = 0; i < K; i++) gInit[ib + i]! += w * alpha[ab + i]! * beta[i]!;
  }
  return [tf.tensor(gInit, shapes[0]), tf.tensor(gTrans, shapes[1]), tf.tensor(gEmit, shapes[2])];
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
