/**
 * A factorial HMM's most likely joint path and posterior marginals on plain
 * float64 arrays, for programs that decode outside a model (ppl-hmm
 * disaggregate): M chains with their own start and transition probabilities,
 * one emission on their joint state. They run the factorial kernel
 * (factorial-kernel.ts) that the contraction's factorial step runs for the
 * same model written as a markov loop: Viterbi or forward–backward over the
 * product state with each chain's transition applied on its own, T·S·Σ K_m
 * work for S = Π K_m states, never the product chain's T·S². Textbook
 * convention (as hmm-arrays.ts): z_0 drawn from the starts emits y_0, each
 * later state follows a transition.
 */
import { PPLNumericalError, PPLShapeError } from "../errors.js";
import { type FactorialLayout, factorialForward, factorialLayout, factorialPosteriors, factorialViterbi } from "./factorial-kernel.js";

/** A factorial HMM in log space, row-major float64 arrays. */
export interface FactorialHmmArrays {
  /** Per chain m, log p(z^m_0 = k), length K_m. */
  readonly logInit: readonly ArrayLike<number>[];
  /** Per chain m, log p(z^m_t = j | z^m_{t-1} = i) at [i·K_m + j], length K_m². */
  readonly logTrans: readonly ArrayLike<number>[];
  /**
   * log p(y_t | z^0_t, …, z^{M-1}_t) at [t·S + s], length T·S: s is the joint
   * state, row-major over the chains (chain 0 varies slowest).
   */
  readonly logEmit: ArrayLike<number>;
}

/** What {@link factorialHmmMostLikelyPath} returns. */
export interface FactorialHmmPath {
  /** Per chain, its state at every step, length T each. */
  readonly paths: Int32Array[];
  /** log p(y, paths): the joint path's log probability. */
  readonly logProb: number;
}

/**
 * The most likely joint state path of a factorial HMM (exact, float64).
 *
 * @example
 * ```ts
 * // two on/off appliances whose powers (0/100 W and 0/200 W) add up at the meter
 * const levels = [0, 200, 100, 300]; // joint states (a, b) row-major: a slowest
 * const y = [0, 100, 300, 200];
 * const { paths } = factorialHmmMostLikelyPath({
 *   logInit: [[Math.log(0.5), Math.log(0.5)], [Math.log(0.5), Math.log(0.5)]],
 *   logTrans: [[-0.1, -2.3, -2.3, -0.1], [-0.1, -2.3, -2.3, -0.1]],
 *   logEmit: y.flatMap((v) => levels.map((l) => -0.5 * ((v - l) / 10) ** 2)),
 * });
 * // paths[0] = [0, 1, 1, 0], paths[1] = [0, 0, 1, 1]
 * ```
 */
export function factorialHmmMostLikelyPath(h: FactorialHmmArrays): FactorialHmmPath {
  const { L, unary } = checked("factorialHmmMostLikelyPath", h);
  const v = factorialViterbi(L, unary, h.logTrans);
  // (plain loops: Int32Array.from with a mapping function calls it per element, 14 % of an M = 2 day's decode)
  const paths = L.sizes.map((K, m) => {
    const [stride, path] = [L.strides[m]!, new Int32Array(v.paths.length)];
    for (let t = 0; t < path.length; t++) path[t] = Math.floor(v.paths[t]! / stride) % K;
    return path;
  });
  return { paths, logProb: v.scores[0]! };
}

/** What {@link factorialHmmMarginals} returns. */
export interface FactorialHmmMarginals {
  /** Per chain m, p(z^m_t = k | y) at [t·K_m + k], length T·K_m. */
  readonly marginals: Float64Array[];
  /** log p(y_0 … y_{T-1}); -Infinity when no joint path is possible (the marginals are then 0). */
  readonly logLikelihood: number;
}

/**
 * Each chain's posterior state marginals given every observation (exact,
 * float64): forward–backward over the product state, summed over the other
 * chains' states.
 *
 * @example
 * ```ts
 * // the two appliances of factorialHmmMostLikelyPath's example: at y = 300 both are surely on
 * const { marginals } = factorialHmmMarginals({ logInit, logTrans, logEmit });
 * // marginals[0][2 * 2 + 1] = p(a on at t = 2 | y) ≈ 1
 * ```
 */
export function factorialHmmMarginals(h: FactorialHmmArrays): FactorialHmmMarginals {
  const { L, unary } = checked("factorialHmmMarginals", h);
  const sw = factorialForward(L, unary, h.logTrans);
  const joint = factorialPosteriors(sw, [1], false).unary;
  const { n: T, S, sizes, strides } = L;
  // chain m's state is constant over runs of strides[m] joint states, repeating every K_m runs
  const marginals = sizes.map((K, m) => {
    const out = new Float64Array(T * K);
    const st = strides[m]!;
    for (let t = 0; t < T; t++) {
      const row = t * S;
      for (let o = 0; o < S; o += K * st) {
        for (let k = 0; k < K; k++) {
          let acc = 0;
          for (let r = o + k * st, end = r + st; r < end; r++) acc += joint[row + r]!;
          out[t * K + k]! += acc;
        }
      }
    }
    return out;
  });
  return { marginals, logLikelihood: sw.logZ[0]! };
}

/** The arrays checked, laid out for the kernel, the starts added to the first step's emissions. */
function checked(who: string, h: FactorialHmmArrays): { L: FactorialLayout; unary: Float64Array } {
  const sizes = h.logInit.map((x) => x.length);
  const S = sizes.reduce((a, b) => a * b, 1);
  const T = h.logEmit.length / S;
  if (sizes.length === 0 || sizes.some((k) => k < 1) || h.logTrans.length !== sizes.length || h.logTrans.some((x, m) => x.length !== sizes[m]! ** 2) || !Number.isInteger(T) || T < 1) {
    const shown = `logInit lengths ${sizes.join(", ")}, logTrans lengths ${h.logTrans.map((x) => x.length).join(", ")}, logEmit length ${h.logEmit.length}`;
    throw new PPLShapeError(`${who}: the arrays do not fit (${shown})`, {
      expected: "per chain logInit [K_m] and logTrans [K_m²]; logEmit [T·Π K_m] with T ≥ 1",
      actual: shown,
    });
  }
  const bad = [...h.logInit, ...h.logTrans, h.logEmit].some(hasNaNOrInfinity);
  if (bad) throw new PPLNumericalError(`${who}: an entry is NaN or +Infinity; every entry must be a log-probability (real or -Infinity)`, { expected: "real or -Infinity" });
  const L = factorialLayout([1, T, S], sizes.map((K) => [1, 1, K, K]), who);
  const unary = Float64Array.from(h.logEmit);
  for (let s = 0; s < S; s++) for (let m = 0; m < sizes.length; m++) unary[s]! += h.logInit[m]![Math.floor(s / L.strides[m]!) % sizes[m]!]!;
  return { L, unary };
}

/** Whether x holds a NaN or +Infinity (a plain loop: Array.prototype.some through a callback was a third of an M = 2 day's decode). */
function hasNaNOrInfinity(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v || v === Infinity) return true;
  }
  return false;
}
