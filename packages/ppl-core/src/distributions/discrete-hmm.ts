/**
 * DiscreteHMM: a hidden Markov model with discrete latent states summed out,
 * as Pyro's `dist.DiscreteHMM`. Its log-density is the HMM marginal
 * likelihood computed by one fused forward–backward op.
 *
 * `initialLogits` [..., K] is the distribution of the state BEFORE the first
 * step (Pyro's convention); every step, the first included, transitions with
 * `transitionLogits` [..., T or 1, K, K] (source state on dim -2) and then
 * emits from `observationDist`, whose batch shape ends in [T or 1, K].
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, independent } from "../constraints/constraint.js";
import { PPLConfigError, type PPLError, PPLShapeError, PPLSupportError, formatShape } from "../errors.js";
import { hmmLogLikelihood, hmmPosteriorMarginals, hmmViterbi } from "../ops/hmm-forward.js";
import { Categorical } from "./categorical.js";
import { broadcastShapes, broadcastTo, shapesEqual, type TensorLike } from "../ops/tensor.js";
import { makeRng, nextSeed } from "../rng.js";
import { Distribution } from "./base/distribution.js";
import { isValidationEnabled, validationCheck } from "../validation.js";
import { asFloat, rejectParam } from "./base/validate.js";

/** Options of {@link DiscreteHMM}. */
export interface DiscreteHMMOptions {
  /** Number of steps when neither the transitions nor the observations have a time dim > 1. */
  duration?: number;
}

function logNormalise(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.sub(tf.logSumExp(x, x.rank - 1, true)));
}

/** What {@link DiscreteHMM.viterbi} returns. */
export interface DiscreteHMMPath {
  /** The most likely state of each step, int32 [...batch, T]. */
  states: tf.Tensor;
  /** Each path's log joint probability with the observations, [...batch]. */
  logProb: tf.Tensor;
}

/** The multi-index of flat row `r` of a tensor whose rows are its last axis, e.g. "[1, 2]". */
function rowIndex(shape: readonly number[], r: number): string {
  const lead = shape.slice(0, -1);
  const idx: number[] = [];
  for (let d = lead.length - 1; d >= 0; d--) {
    idx.unshift(r % lead[d]!);
    r = Math.floor(r / lead[d]!);
  }
  return `[${idx.join(", ")}]`;
}

/**
 * Logits are real or -Infinity (an impossible state: hmm.py's model_7 pins the
 * start state with [0, -inf, ...]). NaN and +Infinity are errors, and so is a
 * row (last axis) with no possible state: it has no normalisation.
 */
function checkLogitRows(owner: Distribution, param: string, x: tf.Tensor): void {
  if (!isValidationEnabled()) return;
  const e = validationCheck(() => logitRowsError(param, x));
  if (e !== undefined) rejectParam(owner, e);
}

function logitRowsError(param: string, x: tf.Tensor): PPLError | undefined {
  const data = x.dataSync();
  const K = x.shape[x.rank - 1]!;
  for (let r = 0; r * K < data.length; r++) {
    let possible = false;
    for (let k = 0; k < K; k++) {
      const v = data[r * K + k]!;
      if (Number.isNaN(v) || v === Infinity) {
        return new PPLSupportError(
          `DiscreteHMM: parameter '${param}' must be real or -Infinity, but row ${rowIndex(x.shape, r)} has ${v} at state ${k} ` +
            `(shape ${formatShape(x.shape)})`,
          { expected: "real or -Infinity", actual: String(v) },
        );
      }
      if (v !== -Infinity) possible = true;
    }
    if (!possible) {
      return new PPLSupportError(
        `DiscreteHMM: parameter '${param}' has row ${rowIndex(x.shape, r)} with every entry -Infinity (shape ${formatShape(x.shape)}): ` +
          "no state is possible there. Fix: give at least one state a finite logit in every row",
        { expected: "at least one finite logit per row", actual: "all -Infinity" },
      );
    }
  }
  return probsAsLogitsError(param, data, K);
}

/**
 * Probabilities passed where logits go: every row in [0, 1] summing to 1.
 * Read as logits they flatten the distribution silently (logits [0.9, 0.1]
 * mean probabilities [0.69, 0.31]), so refuse them, unless every row is
 * uniform (then both readings agree).
 */
function probsAsLogitsError(param: string, data: Float32Array | Int32Array | Uint8Array, K: number): PPLError | undefined {
  let uniform = true;
  for (let r = 0; r * K < data.length; r++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const v = data[r * K + k]!;
      if (v < 0 || v > 1) return undefined;
      sum += v;
      if (v !== data[r * K]) uniform = false;
    }
    if (Math.abs(sum - 1) > 1e-4) return undefined;
  }
  if (uniform) return undefined;
  return new PPLConfigError(
    `DiscreteHMM: parameter '${param}' looks like probabilities (every row lies in [0, 1] and sums to 1), but DiscreteHMM takes ` +
      "logits (unnormalised log-probabilities), as Pyro's DiscreteHMM(initial_logits, transition_logits, ...) does: read as logits, " +
      "these probabilities would give a flatter chain than meant, silently.\n" +
      `Fix: pass tf.log(probs) as '${param}' (or probs.log()); if these really are logits, shift a row by a constant (it changes nothing)`,
    { expected: "logits", actual: "probabilities (rows in [0, 1] summing to 1)" },
  );
}

/** x reshaped, without a Reshape kernel (and its backward) when the shape is already right. */
function reshapeTo(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return shapesEqual(x.shape, shape) ? x : x.reshape([...shape]);
}

/**
 * A hidden Markov model with its discrete states summed out (Pyro's `dist.DiscreteHMM`): the value is the
 * observation sequence [...batch, T, ...obsEvent], the log-density the HMM marginal likelihood (one fused
 * forward pass). `initialLogits` [..., K] is the state distribution before the first step; every step
 * transitions with `transitionLogits` [..., T or 1, K, K] (source state on dim -2) and then emits from
 * `observationDist`, whose batch shape ends in [T or 1, K].
 *
 * @example
 * ```ts
 * const hmm = dist.DiscreteHMM(tf.zeros([2]), tf.log(tf.tensor2d([[0.9, 0.1], [0.2, 0.8]])), dist.Normal(tf.tensor1d([-1, 1]), 0.5), { duration: 50 });
 * const lp = hmm.logProb(ys);    // ys: [50]
 * ```
 */
export class DiscreteHMM extends Distribution {
  readonly name = "DiscreteHMM";
  /** The emission distribution, batch shape [..., T or 1, K]. */
  readonly observationDist: Distribution;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** The shape of one draw. */
  readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint;
  override readonly hasRsample = false;
  /** The number of hidden states K. */
  readonly numStates: number;
  /** The number of time steps T. */
  readonly duration: number;
  private readonly rawInit: tf.Tensor;
  private readonly rawTrans: tf.Tensor;

  constructor(initialLogits: TensorLike, transitionLogits: TensorLike, observationDist: Distribution, options: DiscreteHMMOptions = {}) {
    super();
    const init = asFloat(initialLogits);
    const trans = asFloat(transitionLogits);
    const err = (why: string) =>
      new PPLShapeError(
        `DiscreteHMM: ${why} (initialLogits ${formatShape(init.shape)}, transitionLogits ${formatShape(trans.shape)}, ` +
          `observationDist batch ${formatShape(observationDist.batchShape)})`,
        { expected: "initialLogits [..., K], transitionLogits [..., T|1, K, K], observationDist batch [..., T|1, K]" },
      );
    if (init.rank < 1) throw err("initialLogits needs a state dim");
    const K = init.shape[init.rank - 1]!;
    if (trans.rank < 2 || trans.shape[trans.rank - 1] !== K || trans.shape[trans.rank - 2] !== K) {
      throw err(`transitionLogits must end in [${K}, ${K}]`);
    }
    const ob = observationDist.batchShape;
    if (ob.length < 1 || ob[ob.length - 1] !== K) throw err(`observationDist's batch shape must end in the state dim ${K}`);
    checkLogitRows(this, "initialLogits", init);
    checkLogitRows(this, "transitionLogits", trans);
    const transT = trans.rank >= 3 ? trans.shape[trans.rank - 3]! : 1;
    const obsT = ob.length >= 2 ? ob[ob.length - 2]! : 1;
    const timeSizes = [transT, obsT].filter((t) => t > 1);
    if (timeSizes.length === 2 && timeSizes[0] !== timeSizes[1]) throw err(`time dims ${transT} and ${obsT} differ`);
    if (transT === 0 || obsT === 0 || options.duration === 0) {
      // an empty sequence has log-probability 0: a model would train on its priors alone
      throw err("the sequence is empty (a time dim of size 0): drop empty sequences from the data");
    }
    const T = timeSizes[0] ?? options.duration ?? 1;
    if (options.duration !== undefined && timeSizes.length > 0 && options.duration !== T) {
      throw err(`duration ${options.duration} differs from the time dim ${T}`);
    }
    this.numStates = K;
    this.duration = T;
    // kept as given: logProb normalises inside the fused op, which saves the tfjs ops of doing it here
    this.rawInit = init;
    this.rawTrans = trans;
    this.observationDist = observationDist;
    const transBatch = trans.shape.slice(0, Math.max(0, trans.rank - 3));
    const obsBatch = ob.slice(0, Math.max(0, ob.length - 2));
    try {
      this.batchShape = broadcastShapes([init.shape.slice(0, -1), transBatch, obsBatch]);
    } catch {
      throw err("batch shapes do not broadcast");
    }
    this.eventShape = [T, ...observationDist.eventShape];
    this.support = independent(observationDist.support, 1);
  }

  /** The initial logits, log-normalised over the states (a new tensor per call; the caller owns it). */
  get initialLogits(): tf.Tensor {
    return logNormalise(this.rawInit);
  }

  /** The transition logits, each row log-normalised (a new tensor per call; the caller owns it). */
  get transitionLogits(): tf.Tensor {
    return logNormalise(this.rawTrans);
  }

  /**
   * The kernel inputs for `value`: initial [B|1, K] and transition [B|1, T|1, K, K] logits
   * (log-normalised when `normalised`), emissions [B|1, T, K], and the broadcast batch shape.
   */
  private chainInputs(value: tf.Tensor, normalised: boolean): { init: tf.Tensor; trans: tf.Tensor; emit: tf.Tensor; batch: number[] } {
    const K = this.numStates;
    const T = this.duration;
    const obsEvent = this.observationDist.eventShape.length;
    if (value.rank > obsEvent && value.shape[value.rank - obsEvent - 1] === 0) {
      // structural: an empty sequence has log-probability 0, so a model would train on its priors alone
      throw new PPLShapeError(
        `DiscreteHMM: the observed sequence is empty (value shape ${formatShape(value.shape)}: 0 time steps), so it would add ` +
          "nothing but the priors. Fix: drop empty sequences from the data (or mask them out with mask(...))",
        { expected: "at least 1 time step", actual: formatShape(value.shape) },
      );
    }
    // value [..., T, *obsEvent] -> emissions [..., T, K]
    const v = value.expandDims(value.rank - obsEvent);
    const emit = this.observationDist.logProb(v);
    const batch = broadcastShapes([this.batchShape, emit.shape.slice(0, -2)], "DiscreteHMM value and batch shapes");
    const B = batch.reduce((a, b) => a * b, 1);
    // Inputs without batch dims stay at batch size 1 (or none): the fused op broadcasts them for free.
    const flat = (x: tf.Tensor, tail: number[]) => {
      if (x.rank === tail.length) return x;
      const own = x.shape.slice(0, x.rank - tail.length);
      return own.every((d) => d === 1) ? reshapeTo(x, [1, ...tail]) : reshapeTo(broadcastTo(x, [...batch, ...tail]), [B, ...tail]);
    };
    const rawTrans = normalised ? this.transitionLogits : this.rawTrans;
    const tr = rawTrans.rank === 2 ? rawTrans.expandDims(0) : rawTrans;
    const Tt = tr.shape[tr.rank - 3]!;
    const emitB = emit.rank === 2 ? emit.expandDims(0) : flat(emit, [T, K]);
    return { init: flat(normalised ? this.initialLogits : this.rawInit, [K]), trans: flat(tr, [Tt, K, K]), emit: emitB, batch };
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { init, trans, emit, batch } = this.chainInputs(value, false);
      return reshapeTo(hmmLogLikelihood(init, trans, emit, { normalise: true }), batch);
    });
  }

  /**
   * The posterior marginals of the hidden states given the observations,
   * p(z_t = k | value), shape [...batch, T, K] (exact forward–backward, float64 inside).
   *
   * @example
   * const post = hmm.marginals(ys); // [T, K]; each row sums to 1
   */
  marginals(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { init, trans, emit, batch } = this.chainInputs(value, true);
      const { marginals } = hmmPosteriorMarginals(init, trans, emit);
      return tf.tensor(Float32Array.from(marginals), [...batch, this.duration, this.numStates]);
    });
  }

  /**
   * The posterior over the final state given the observations (Pyro's
   * `DiscreteHMM.filter`), a Categorical with batch shape [...batch]: its
   * probs can start the next stretch of the chain (as its initial logits, after a log).
   *
   * @example
   * const last = hmm.filter(ys); // last.probs: [K]
   */
  filter(value: tf.Tensor): Categorical {
    // logits, not probs: a Categorical keeps the probs it is given (unnormalised weights are
    // normalised lazily), and this tensor is ours to dispose. A float64 probability that
    // underflowed to 0 keeps a finite logit (e^-744 is 0 in float32 too).
    const logits = tf.tidy(() => {
      const { init, trans, emit, batch } = this.chainInputs(value, true);
      const { last } = hmmPosteriorMarginals(init, trans, emit);
      return tf.tensor(Float32Array.from(last, (p) => Math.log(Math.max(p, Number.MIN_VALUE))), [...batch, this.numStates]);
    });
    const c = new Categorical({ logits });
    logits.dispose();
    return c;
  }

  /**
   * The most likely state path given the observations (Viterbi): `states`
   * [...batch, T] (int32) and its log joint probability `logProb` [...batch],
   * the state before the first step maximised out. Ties go to the lowest state.
   *
   * @example
   * const { states, logProb } = hmm.viterbi(ys); // states: [T]
   */
  viterbi(value: tf.Tensor): DiscreteHMMPath {
    return tf.tidy(() => {
      const { init, trans, emit, batch } = this.chainInputs(value, true);
      const { paths, logProbs } = hmmViterbi(init, trans, emit);
      const flat = new Int32Array(paths.length * this.duration);
      paths.forEach((p, b) => flat.set(p, b * this.duration));
      const B = batch.reduce((a, b) => a * b, 1);
      // a batch that broadcasts to B members from inputs of batch 1 decodes once: repeat its path
      for (let b = paths.length; b < B; b++) flat.set(paths[0]!, b * this.duration);
      const lp = Float32Array.from({ length: B }, (_, b) => logProbs[paths.length === B ? b : 0]!);
      return { states: tf.tensor(flat, [...batch, this.duration], "int32"), logProb: tf.tensor(lp, batch) };
    });
  }

  /** Draw states forward in JS, then each step's observation from its state's emission. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("DiscreteHMM")): tf.Tensor {
    return tf.tidy(() => {
      const K = this.numStates;
      const T = this.duration;
      const batch = [...sampleShape, ...this.batchShape];
      const B = batch.reduce((a, b) => a * b, 1);
      const init = broadcastTo(this.initialLogits, [...batch, K]).reshape([B, K]).exp().dataSync();
      const logits = this.transitionLogits;
      const tr = logits.rank === 2 ? logits.expandDims(0) : logits;
      const Tt = tr.shape[tr.rank - 3]!;
      const trans = broadcastTo(tr, [...batch, Tt, K, K]).reshape([B, Tt, K, K]).exp().dataSync();
      const rng = makeRng(seed);
      const pick = (probs: ArrayLike<number>, offset: number): number => {
        let u = rng();
        for (let k = 0; k < K - 1; k++) {
          u -= probs[offset + k]!;
          if (u < 0) return k;
        }
        return K - 1;
      };
      const states = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        let z = pick(init, b * K);
        for (let t = 0; t < T; t++) {
          z = pick(trans, ((b * Tt + (Tt === 1 ? 0 : t)) * K + z) * K);
          states[b * T + t] = z;
        }
      }
      // one draw per (batch, step, state), then keep the drawn state's
      const obsEvent = this.observationDist.eventShape;
      const full = this.observationDist.expand([...this.batchShape, T, K]).sample(sampleShape, (seed ^ 0x5bd1e995) >>> 0);
      const hot = tf.oneHot(tf.tensor(states, [...batch, T], "int32"), K).reshape([...batch, T, K, ...obsEvent.map(() => 1)]);
      return full.mul(hot).sum(batch.length + 1);
    });
  }
}
