/** Construction-time checks of distribution parameters. */
import * as tf from "@tensorflow/tfjs-core";
import { Constraint } from "../../constraints/constraint.js";
import { PPLConfigError, PPLShapeError, PPLSupportError, formatShape } from "../../errors.js";
import { broadcastShapes, type TensorLike } from "../../ops/tensor.js";
import { floatArg } from "../../tensor-arg.js";
import { isValidationEnabled } from "../../validation.js";

/**
 * Tensors already found to satisfy a constraint. A markov chain hands the same
 * (memoised) parameter tensor to every step of one parity; tensors are
 * immutable, so one check answers for all. Variables are not remembered: they
 * change in place.
 */
const passed = new WeakMap<tf.Tensor, Set<Constraint>>();

/**
 * Throw a PPLSupportError naming the distribution, the parameter, the first
 * offending element and the constraint, if any element of `value` violates it
 * (a no-op under `setValidation(false)`).
 * @param dist the family's name, e.g. "Normal"
 * @param param the argument's name, e.g. "scale"
 */
export function checkParam(dist: string, param: string, value: tf.Tensor, constraint: Constraint): void {
  if (!isValidationEnabled()) return;
  const known = value instanceof tf.Variable ? undefined : passed.get(value);
  if (known?.has(constraint)) return;
  checkNow(dist, param, value, constraint);
  if (!(value instanceof tf.Variable)) {
    if (known === undefined) passed.set(value, new Set([constraint]));
    else known.add(constraint);
  }
}

function checkNow(dist: string, param: string, value: tf.Tensor, constraint: Constraint): void {
  const ok = tf.tidy(() => constraint.check(value));
  const flags = ok.dataSync();
  ok.dispose();
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) {
      const data = value.dataSync();
      const eventSize = constraint.eventDim > 0 ? value.shape.slice(-constraint.eventDim).reduce((a, b) => a * b, 1) : 1;
      const bad = Array.from(data.slice(i * eventSize, (i + 1) * eventSize)).map((v) => +v.toPrecision(6));
      throw new PPLSupportError(
        `${dist}: parameter '${param}' must be ${constraint.name}, but element ${i} is ` +
          `${eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`} (shape ${formatShape(value.shape)})`,
        { expected: constraint.name, actual: String(eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`) },
      );
    }
  }
}

/**
 * Category weights as torch accepts them for `probs`: each row (last axis) is
 * finite, nonnegative and has a positive sum; the family normalises it to a
 * simplex (Categorical(tf.ones([4])) is uniform over 4), so only a row that
 * cannot be normalised is refused.
 */
class CategoryWeights extends Constraint {
  readonly name = "nonnegative finite weights with a positive sum";
  override readonly eventDim = 1;
  check(v: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.logicalAnd(tf.logicalAnd(tf.isFinite(v), v.greaterEqual(0)).all(-1), v.sum(-1).greater(0)));
  }
}
/** The `probs` check of Categorical, OneHotCategorical and Multinomial: normalisable rows. */
export const categoryWeights: Constraint = new CategoryWeights();

/** Broadcast batch shapes of several parameters, with an error naming the distribution. */
export function paramBatchShape(dist: string, params: Record<string, readonly number[]>): number[] {
  try {
    return broadcastShapes(Object.values(params));
  } catch {
    const desc = Object.entries(params).map(([k, s]) => `${k} ${formatShape(s)}`).join(", ");
    throw new PPLShapeError(`${dist}: parameter shapes do not broadcast: ${desc}`, {
      expected: "broadcastable parameter shapes",
      actual: desc,
    });
  }
}

/** `x` as a float32 tensor; a PPL error naming `where` and `arg` if it is missing, of the wrong kind, ragged or disposed. */
export function asFloat(x: TensorLike, where = "a distribution", arg = "argument"): tf.Tensor {
  return floatArg(where, arg, x);
}

/** Throw a PPLSupportError unless low < high elementwise (after broadcasting). */
export function checkOrdered(dist: string, lowName: string, low: tf.Tensor, highName: string, high: tf.Tensor): void {
  if (!isValidationEnabled()) return;
  const ok = tf.tidy(() => high.greater(low));
  const flags = ok.dataSync();
  ok.dispose();
  const i = flags.findIndex((f) => !f);
  if (i < 0) return;
  const shape = broadcastShapes([low.shape, high.shape]);
  const [lo, hi] = tf.tidy(() => [tf.broadcastTo(low, shape).dataSync()[i]!, tf.broadcastTo(high, shape).dataSync()[i]!]);
  throw new PPLSupportError(
    `${dist}: parameter '${highName}' must be greater than '${lowName}', but element ${i} has ` +
      `${lowName} = ${+lo!.toPrecision(6)} and ${highName} = ${+hi!.toPrecision(6)}`,
    { expected: `${highName} > ${lowName}`, actual: `${lowName} = ${lo}, ${highName} = ${hi}` },
  );
}

/** Exactly one of `probs` or `logits`, as Pyro's discrete distributions take them. */
export type ProbsOrLogits =
  | {
      /** Probabilities. */
      probs: TensorLike;
      /** Not with probs. */
      logits?: never;
    }
  | {
      /** Log-odds (Bernoulli, Binomial) or unnormalised log-probabilities (Categorical). */
      logits: TensorLike;
      /** Not with logits. */
      probs?: never;
    };

/** Read the bare-tensor short form as `{ probs }`; throw unless exactly one of the two is given. */
export function probsOrLogits(dist: string, params: ProbsOrLogits | TensorLike): BinaryParam {
  const p: Partial<Record<"probs" | "logits", TensorLike>> =
    params instanceof tf.Tensor || typeof params === "number" || Array.isArray(params) ? { probs: params } : params;
  if ((p.probs === undefined) === (p.logits === undefined)) {
    throw new PPLConfigError(`${dist}: give exactly one of 'probs' or 'logits'`, {
      expected: "{ probs } or { logits }",
      actual: p.probs === undefined ? "neither" : "both",
    });
  }
  return p.probs !== undefined ? { kind: "probs", value: asFloat(p.probs) } : { kind: "logits", value: asFloat(p.logits!) };
}

/** A success probability as it was given: `probs` or `logits` (log-odds). */
export interface BinaryParam {
  readonly kind: "probs" | "logits";
  readonly value: tf.Tensor;
}

/** The success probability of a BinaryParam: itself, or σ(logits). */
export function probsOf(param: BinaryParam): tf.Tensor {
  return param.kind === "probs" ? param.value : tf.sigmoid(param.value);
}

/** The log-odds log(p / (1 − p)) of a BinaryParam: itself, or computed from the probs. */
export function logitsOf(param: BinaryParam): tf.Tensor {
  const p = param.value;
  return param.kind === "logits" ? p : tf.tidy(() => p.log().sub(p.neg().log1p()));
}

/** Throw a PPLShapeError naming the distribution when a parameter has fewer dims than its event needs. */
export function checkMinRank(dist: string, param: string, value: tf.Tensor, rank: number, expected: string): void {
  if (value.rank >= rank) return;
  throw new PPLShapeError(
    `${dist}: parameter '${param}' must have shape ${expected}, got ${formatShape(value.shape)}`,
    { expected, actual: formatShape(value.shape) },
  );
}
