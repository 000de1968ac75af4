/**
 * log Σ over every path of a first-order chain v_0 → … → v_{n-1}, as ONE
 * differentiable op: a scaled forward pass and its backward (posterior)
 * pass in float64 JS inside a custom gradient. tfjs spends 2–10 µs per op,
 * so n separate log-sum-exp eliminations cost far more than the arithmetic
 * (TFJS-NOTES §3: 1.8 ms instead of ~60 ms for the seed HMM).
 *
 * Unlike ppl-core's hmmLogLikelihood (normalised log-probs, Pyro's
 * DiscreteHMM convention), the inputs here are arbitrary log-factors, so
 * every step is shifted by its max before exp and the shift is added back.
 *   unary [Bu, n, K]      Σ of the factors on v_t alone; Bu ∈ {1, B}
 *   pair  [Bp, n-1, K, K] Σ of the factors on (v_{t-1} = i, v_t = j) at [t-1, i, j]; Bp ∈ {1, B}
 * Result: [B], log Σ_v exp(Σ_t unary[t, v_t] + Σ_t pair[t-1, v_{t-1}, v_t]).
 */
import * as tf from "@tensorflow/tfjs";

interface Layout {
  B: number;
  n: number;
  K: number;
  Bu: number;
  Bp: number;
}

/**
 * Into e, exp(x - max) per block of `block` entries; into shift, the maxes
 * (0 for an all -Infinity block). Nothing follows the loop: V8 compiles a
 * long loop on the stack before the code after it has type feedback, and
 * such code then deoptimises on every call.
 */
function expShifted(x: ArrayLike<number>, block: number, e: Float64Array, shift: Float64Array): void {
  const blocks = shift.length;
  for (let r = 0; r < blocks; r++) {
    let m = -Infinity;
    for (let k = 0; k < block; k++) m = Math.max(m, x[r * block + k]!);
    if (!Number.isFinite(m)) m = m === Infinity ? m : 0;
    shift[r] = m;
    for (let k = 0; k < block; k++) e[r * block + k] = Math.exp(x[r * block + k]! - m);
  }
}

interface Sweep {
  /** Normalised forward messages, [B, n, K]. */
  alpha: Float64Array;
  /** Per-step normalisers, [B, n]. */
  c: Float64Array;
  loglik: Float64Array;
  U: Float64Array;
  P: Float64Array;
}

function forward(L: Layout, unary: ArrayLike<number>, pair: ArrayLike<number>): Sweep {
  const { B, n, K, Bu, Bp } = L;
  const U = new Float64Array(unary.length);
  const su = new Float64Array(unary.length / K);
  expShifted(unary, K, U, su);
  const P = new Float64Array(pair.length);
  const sp = new Float64Array(pair.length / (K * K));
  expShifted(pair, K * K, P, sp);
  const alpha = new Float64Array(B * n * K);
  const c = new Float64Array(B * n);
  const loglik = new Float64Array(B);
  // one call per sequence: V8 optimises the function whole after a few calls
  for (let b = 0; b < B; b++) {
    loglik[b] = forwardSequence(n, K, (Bu === 1 ? 0 : b) * n, (Bp === 1 ? 0 : b) * (n - 1), b, U, su, P, sp, alpha, c);
  }
  return { alpha, c, loglik, U, P };
}

/** The scaled forward recursion of sequence b (unary rows from ub, pair blocks from pb): fills alpha and c, returns log Z. */
function forwardSequence(
  n: number, K: number, ub: number, pb: number, b: number,
  U: Float64Array, su: Float64Array, P: Float64Array, sp: Float64Array, alpha: Float64Array, c: Float64Array,
): number {
  const KK = K * K;
  const ab = b * n * K;
  let c0 = 0;
  for (let k = 0; k < K; k++) c0 += alpha[ab + k] = U[ub * K + k]!;
  for (let k = 0; k < K; k++) alpha[ab + k]! /= c0;
  c[b * n] = c0;
  let shifts = su[ub]!;
  // the normalisers' product, logged only when it nears the float64 range (a log per step costs more than the step)
  let prod = c0;
  for (let t = 1; t < n; t++) {
    const prev = ab + (t - 1) * K;
    const cur = prev + K;
    const pr = (pb + t - 1) * KK;
    const ur = (ub + t) * K;
    let ct = 0;
    for (let j = 0; j < K; j++) {
      let acc = 0;
      for (let i = 0; i < K; i++) acc += alpha[prev + i]! * P[pr + i * K + j]!;
      const v = acc * U[ur + j]!;
      alpha[cur + j] = v;
      ct += v;
    }
    const inv = 1 / ct;
    for (let j = 0; j < K; j++) alpha[cur + j]! *= inv;
    c[b * n + t] = ct;
    shifts += sp[pb + t - 1]! + su[ub + t]!;
    prod *= ct;
    if (!(prod > 1e-250 && prod < 1e250)) {
      shifts += Math.log(prod);
      prod = 1;
    }
  }
  return shifts + Math.log(prod);
}

function gradients(L: Layout, sw: Sweep, dy: ArrayLike<number>, shapes: readonly [number[], number[]]): tf.Tensor[] {
  const { B, n, K, Bu, Bp } = L;
  const gU = new Float32Array(Bu * n * K);
  const gP = new Float32Array(Bp * (n - 1) * K * K);
  const beta = new Float64Array(K);
  const prevBeta = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const w = dy[b]!;
    // a path-less chain (-Infinity) has no posterior; its gradient stays 0
    if (w === 0 || !Number.isFinite(sw.loglik[b]!)) continue;
    backwardSequence(n, K, (Bu === 1 ? 0 : b) * n, (Bp === 1 ? 0 : b) * (n - 1), b, w, sw, gU, gP, beta, prevBeta);
  }
  return [tf.tensor(gU, shapes[0]), tf.tensor(gP, shapes[1])];
}

/** The backward (posterior) pass of sequence b, adding w × its marginals into gU and gP. */
function backwardSequence(
  n: number, K: number, ub: number, pb: number, b: number, w: number, sw: Sweep,
  gU: Float32Array, gP: Float32Array, betaIn: Float64Array, prevBetaIn: Float64Array,
): void {
  const { alpha, c, U, P } = sw;
  const KK = K * K;
  const ab = b * n * K;
  let beta = betaIn;
  let prevBeta = prevBetaIn;
  beta.fill(1);
  for (let t = n - 1; t >= 1; t--) {
    const prev = ab + (t - 1) * K;
    const cur = prev + K;
    const pr = (pb + t - 1) * KK;
    const ur = (ub + t) * K;
    const inv = 1 / c[b * n + t]!;
    // posterior marginal of v_t
    for (let j = 0; j < K; j++) gU[ur + j]! += w * alpha[cur + j]! * beta[j]!;
    for (let i = 0; i < K; i++) {
      let acc = 0;
      const ai = w * alpha[prev + i]!;
      for (let j = 0; j < K; j++) {
        const x = P[pr + i * K + j]! * U[ur + j]! * beta[j]! * inv;
        acc += x;
        // pairwise posterior of (v_{t-1} = i, v_t = j)
        gP[pr + i * K + j]! += ai * x;
      }
      prevBeta[i] = acc;
    }
    const swap = beta;
    beta = prevBeta;
    prevBeta = swap;
  }
  for (let k = 0; k < K; k++) gU[ub * K + k]! += w * alpha[ab + k]! * beta[k]!;
}

/** See the file comment. Differentiable in both inputs. */
export function chainLogSumExp(unary: tf.Tensor, pair: tf.Tensor): tf.Tensor {
  if (unary.rank !== 3 || pair.rank !== 4) throw new Error("internal: chainLogSumExp expects unary [B, n, K] and pair [B, n-1, K, K]");
  const [Bu, n, K] = unary.shape as [number, number, number];
  const Bp = pair.shape[0]!;
  const B = Math.max(Bu, Bp);
  if (pair.shape[1] !== n - 1 || pair.shape[2] !== K || pair.shape[3] !== K || (Bu !== 1 && Bu !== B) || (Bp !== 1 && Bp !== B)) {
    throw new Error(`internal: chainLogSumExp shapes [${unary.shape}] and [${pair.shape}] do not match`);
  }
  const L: Layout = { B, n, K, Bu, Bp };
  const op = tf.customGrad(((u: tf.Tensor, p: tf.Tensor) => {
    // the backward pass reuses the forward messages: plain arrays, safe in a closure
    const sw = forward(L, u.dataSync(), p.dataSync());
    const shapes = [u.shape, p.shape] as const;
    return {
      value: tf.tensor1d(Float32Array.from(sw.loglik)),
      gradFunc: (dy: tf.Tensor) => gradients(L, sw, dy.dataSync(), shapes),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (u: tf.Tensor, p: tf.Tensor) => tf.Tensor)(unary, pair);
}
