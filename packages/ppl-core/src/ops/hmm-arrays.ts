/**
 * A hidden Markov model's exact posterior quantities on plain float64 arrays,
 * for programs that fit or decode an HMM outside a model (an EM loop, a
 * command-line tool): the log-likelihood, each step's state marginals, the
 * expected transition counts and the most likely path. They run the one
 * chain kernel (chain-kernel.ts) every HMM route in ppl runs, with no tfjs
 * op and no float32 rounding.
 *
 * The convention is the textbook one (hmmlearn's): the first state is drawn
 * from `logInit` and emits y_0; each later state follows a transition. This
 * differs from DiscreteHMM, which transitions before its first emission.
 */
import { PPLNumericalError, PPLShapeError } from "../errors.js";
import { type ChainLayout, chainForward, chainPosteriors, chainViterbi } from "./chain-kernel.js";

/** One sequence's HMM in log space, row-major float64 arrays. */
export interface HmmArrays {
  /** log p(z_0 = k), length K. -Infinity marks an impossible state. */
  readonly logInit: ArrayLike<number>;
  /** log p(z_t = j | z_{t-1} = i) at [i·K + j], length K². */
  readonly logTrans: ArrayLike<number>;
  /** log p(y_t | z_t = k) at [t·K + k], length T·K (T ≥ 1). */
  readonly logEmit: ArrayLike<number>;
}

/** What {@link hmmForwardBackward} returns. */
export interface HmmPosterior {
  /** log p(y_0 … y_{T-1}); -Infinity when no state path is possible. */
  readonly logLikelihood: number;
  /** p(z_t = k | y) at [t·K + k], length T·K (all 0 when no path is possible). */
  readonly marginals: Float64Array;
  /** Σ_t p(z_{t-1} = i, z_t = j | y) at [i·K + j], length K²: the Baum–Welch transition counts. */
  readonly transitionCounts: Float64Array;
}

/** What {@link hmmMostLikelyPath} returns. */
export interface HmmPath {
  /** The most likely state of each step, length T. */
  readonly path: Int32Array;
  /** log p(y, path): the path's log joint probability. */
  readonly logProb: number;
}

/** The chain's layout and unary terms (logInit folded into step 0); `who` names the caller in errors. */
function chainOf(who: string, h: HmmArrays): { L: ChainLayout; unary: Float64Array } {
  const K = h.logInit.length;
  const T = h.logEmit.length / K;
  const bad = (why: string) =>
    new PPLShapeError(`${who}: ${why} (logInit length ${K}, logTrans length ${h.logTrans.length}, logEmit length ${h.logEmit.length})`, {
      expected: "logInit [K], logTrans [K·K], logEmit [T·K] with T ≥ 1",
    });
  if (K < 1) throw bad("logInit is empty (no states)");
  if (h.logTrans.length !== K * K) throw bad(`logTrans must hold K² = ${K * K} entries`);
  if (!Number.isInteger(T) || T < 1) throw bad(`logEmit's length is not a positive multiple of K = ${K}`);
  const unary = Float64Array.from(h.logEmit);
  for (let k = 0; k < K; k++) unary[k]! += h.logInit[k]!;
  return { L: { B: 1, n: T, K, Bu: 1, Bp: 1, Tp: 1 }, unary };
}

/** The first NaN or +Infinity input, named for the error; undefined when every input is a log-probability. */
function badEntry(h: HmmArrays): string | undefined {
  const K = h.logInit.length;
  const check = (name: string, x: ArrayLike<number>, at: (i: number) => string) => {
    for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!) || x[i] === Infinity) return `${name}${at(i)} is ${x[i]}`;
    return undefined;
  };
  return (
    check("logInit", h.logInit, (i) => `[${i}]`) ??
    check("logTrans", h.logTrans, (i) => `[${Math.floor(i / K)}][${i % K}]`) ??
    check("logEmit", h.logEmit, (i) => ` at step ${Math.floor(i / K)}, state ${i % K}`)
  );
}

function numericalError(who: string, h: HmmArrays): PPLNumericalError {
  const where = badEntry(h) ?? "an input";
  return new PPLNumericalError(`${who}: ${where}; every entry must be a log-probability (real or -Infinity)`, {
    expected: "real or -Infinity",
  });
}

/**
 * log p(y) of one sequence: the forward pass only (half the work of
 * {@link hmmForwardBackward}).
 *
 * @example
 * const ll = hmmLogLikelihood64({ logInit: [Math.log(0.5), Math.log(0.5)], logTrans, logEmit });
 */
export function hmmLogLikelihood64(h: HmmArrays): number {
  const { L, unary } = chainOf("hmmLogLikelihood64", h);
  const logZ = chainForward(L, unary, h.logTrans).logZ[0]!;
  if (Number.isNaN(logZ)) throw numericalError("hmmLogLikelihood64", h);
  return logZ;
}

/**
 * The forward–backward pass of one sequence (the E-step of Baum–Welch): its
 * log-likelihood, each step's posterior state marginals and the expected
 * transition counts, exact in float64.
 *
 * @example
 * const { logLikelihood, marginals, transitionCounts } = hmmForwardBackward({ logInit, logTrans, logEmit });
 * // marginals[t * K + k] = p(z_t = k | y)
 */
export function hmmForwardBackward(h: HmmArrays): HmmPosterior {
  const { L, unary } = chainOf("hmmForwardBackward", h);
  const sweep = chainForward(L, unary, h.logTrans);
  const logLikelihood = sweep.logZ[0]!;
  if (Number.isNaN(logLikelihood)) throw numericalError("hmmForwardBackward", h);
  const post = chainPosteriors(sweep, [1]);
  return { logLikelihood, marginals: post.unary, transitionCounts: post.pair };
}

/**
 * The most likely state path of one sequence (Viterbi) and its log joint
 * probability log p(y, z*). Ties go to the lowest state.
 *
 * @example
 * const { path, logProb } = hmmMostLikelyPath({ logInit, logTrans, logEmit }); // path: Int32Array of T states
 */
export function hmmMostLikelyPath(h: HmmArrays): HmmPath {
  const { L, unary } = chainOf("hmmMostLikelyPath", h);
  const v = chainViterbi(L, unary, h.logTrans);
  const logProb = v.scores[0]!;
  if (Number.isNaN(logProb) || badEntry(h) !== undefined) throw numericalError("hmmMostLikelyPath", h);
  return { path: v.paths, logProb };
}
