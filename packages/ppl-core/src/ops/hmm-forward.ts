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

function lse(v: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (v[i]! > m) m = v[i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(v[i]! - m);
  return m + Math.log(s);
}

interface Sweep {
  /** alpha[b][t*K + k], t = -1..T-1 stored at t+1. */
  alpha: Float64Array;
  beta: Float64Array;
  loglik: Float64Array;
}

function sweep(L: Layout, init: Float32Array | Float64Array, trans: Float32Array | Float64Array, emit: Float32Array | Float64Array, needBeta: boolean): Sweep {
  const { B, T, K, Bi, Bt, Tt, Be } = L;
  const alpha = new Float64Array(B * (T + 1) * K);
  const beta = needBeta ? new Float64Array(B * (T + 1) * K) : new Float64Array(0);
  const loglik = new Float64Array(B);
  const tmp = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const ib = (Bi === 1 ? 0 : b) * K;
    const tb = (Bt === 1 ? 0 : b) * Tt * K * K;
    const eb = (Be === 1 ? 0 : b) * T * K;
    const ab = b * (T + 1) * K;
    for (let k = 0; k < K; k++) alpha[ab + k] = init[ib + k]!;
    for (let t = 0; t < T; t++) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      const prev = ab + t * K;
      const cur = ab + (t + 1) * K;
      for (let j = 0; j < K; j++) {
        for (let i = 0; i < K; i++) tmp[i] = alpha[prev + i]! + trans[tr + i * K + j]!;
        alpha[cur + j] = lse(tmp, K) + emit[eb + t * K + j]!;
      }
    }
    for (let k = 0; k < K; k++) tmp[k] = alpha[ab + T * K + k]!;
    loglik[b] = lse(tmp, K);
    if (!needBeta) continue;
    // beta[t][i] = log p(y_{t+1..T-1} | z_t = i), with t = -1 at slot 0
    for (let k = 0; k < K; k++) beta[ab + T * K + k] = 0;
    for (let t = T - 1; t >= 0; t--) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      const next = ab + (t + 1) * K;
      const cur = ab + t * K;
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) tmp[j] = trans[tr + i * K + j]! + emit[eb + t * K + j]! + beta[next + j]!;
        beta[cur + i] = lse(tmp, K);
      }
    }
  }
  return { alpha, beta, loglik };
}

/** log p(y) per batch member; differentiable in all three inputs. */
export function hmmLogLikelihood(logInit: tf.Tensor, logTrans: tf.Tensor, emit: tf.Tensor): tf.Tensor {
  const L = layoutOf(logInit, logTrans, emit);
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([li, lt, em], save) => {
    save([li, lt, em]);
    const { loglik } = sweep(L, li.dataSync() as Float32Array, lt.dataSync() as Float32Array, em.dataSync() as Float32Array, false);
    return {
      value: tf.tensor1d(Float32Array.from(loglik)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradients(L, saved, dy.dataSync() as Float32Array),
    };
  });
  return op(logInit, logTrans, emit);
}

function gradients(L: Layout, saved: tf.Tensor[], dy: Float32Array): tf.Tensor[] {
  const { B, T, K, Bi, Bt, Tt, Be } = L;
  const init = saved[0]!.dataSync() as Float32Array;
  const trans = saved[1]!.dataSync() as Float32Array;
  const emit = saved[2]!.dataSync() as Float32Array;
  const { alpha, beta, loglik } = sweep(L, init, trans, emit, true);
  const gInit = new Float32Array(Bi * K);
  const gTrans = new Float32Array(Bt * Tt * K * K);
  const gEmit = new Float32Array(Be * T * K);
  for (let b = 0; b < B; b++) {
    const w = dy[b]!;
    const z = loglik[b]!;
    if (w === 0 || !Number.isFinite(z)) continue;
    const ib = (Bi === 1 ? 0 : b) * K;
    const tb = (Bt === 1 ? 0 : b) * Tt * K * K;
    const eb = (Be === 1 ? 0 : b) * T * K;
    const ab = b * (T + 1) * K;
    // posterior of the state before the first step
    for (let i = 0; i < K; i++) gInit[ib + i]! += w * Math.exp(alpha[ab + i]! + beta[ab + i]! - z);
    for (let t = 0; t < T; t++) {
      const tr = tb + (Tt === 1 ? 0 : t) * K * K;
      const prev = ab + t * K;
      const next = ab + (t + 1) * K;
      for (let j = 0; j < K; j++) {
        // posterior marginal of z_t = j
        gEmit[eb + t * K + j]! += w * Math.exp(alpha[next + j]! + beta[next + j]! - z);
        const tail = emit[eb + t * K + j]! + beta[next + j]! - z;
        for (let i = 0; i < K; i++) {
          // pairwise posterior of (z_{t-1} = i, z_t = j)
          gTrans[tr + i * K + j]! += w * Math.exp(alpha[prev + i]! + trans[tr + i * K + j]! + tail);
        }
      }
    }
  }
  return [
    tf.tensor(gInit, saved[0]!.shape),
    tf.tensor(gTrans, saved[1]!.shape),
    tf.tensor(gEmit, saved[2]!.shape),
  ];
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
