/** Construction-time checks of distribution parameters. */
import * as tf from "@tensorflow/tfjs-core";
import { Constraint } from "../../constraints/constraint.js";
import { PPLConfigError, type PPLError, type PPLErrorFields, PPLShapeError, PPLSupportError, formatShape } from "../../errors.js";
import { broadcastShapes, type TensorLike } from "../../ops/tensor.js";
import { stepCached } from "../../ops/step-cache.js";
import { floatArg } from "../../tensor-arg.js";
import { isValidationEnabled, validationCheck } from "../../validation.js";
import { Distribution } from "./distribution.js";

/**
 * Parameter checks that failed while a model ran, oldest first, each with the
 * depth of the run it failed in. A constructor runs before `sample(name, d)`
 * is called, so it cannot know the site; the failure is kept on its
 * distribution instead, and `sample` throws it naming the site `d` (or a
 * distribution `d` wraps) is given to. A run that ends with one of its own
 * unclaimed (a distribution used for its log-density alone) throws it then, as
 * it would have been thrown outside a run: at construction. A run nested in
 * another (an autoguide reading its params) leaves the outer run's alone.
 */
const failed = new Map<Distribution, { readonly error: PPLError; readonly depth: number }>();
let runs = 0;

/** Forget the failures made at `depth` or deeper; the first of them, if any. */
function takeFrom(depth: number): PPLError | undefined {
  let first: PPLError | undefined;
  for (const [d, f] of failed) {
    if (f.depth < depth) continue;
    first ??= f.error;
    failed.delete(d);
  }
  return first;
}

/** Run `body` (a model run) with parameter checks kept for the site; throws the first unclaimed one of its own at its end. */
export function withSiteChecks<R>(body: () => R): R {
  const depth = ++runs;
  let result: R;
  try {
    result = body();
  } catch (err) {
    takeFrom(depth);
    throw err;
  } finally {
    runs--;
  }
  const unclaimed = takeFrom(depth);
  if (unclaimed !== undefined) throw unclaimed;
  return result;
}

/** The failed check of `d` or of a distribution it holds (an `expand`, a base, a mixture's component), if any. */
function failureIn(d: Distribution): [Distribution, PPLError] | undefined {
  const own = failed.get(d);
  if (own !== undefined) return [d, own.error];
  for (const part of Object.values(d)) {
    if (part instanceof Distribution) {
      const found = failureIn(part);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Throw the failed parameter check of the distribution given to site `name`, naming the site (as `where`, e.g. `sample('y')`). */
export function throwFailedCheck(where: string, name: string, d: Distribution): void {
  if (failed.size === 0) return;
  const found = failureIn(d);
  if (found === undefined) return;
  failed.delete(found[0]);
  const e = found[1];
  const Kind = e.constructor as new (message: string, fields: PPLErrorFields) => PPLError;
  throw new Kind(`${where}: ${e.message}`, { site: name, expected: e.expected, actual: e.actual });
}

/**
 * A failed check of one of `owner`'s parameters (a family's own value check beside checkParam): thrown now outside a
 * model run, else by the site `owner` is given to. Only the first failure of a distribution is kept.
 */
export function rejectParam(owner: Distribution, e: PPLError): void {
  if (runs === 0) throw e;
  if (!failed.has(owner)) failed.set(owner, { error: e, depth: runs });
}

/**
 * Throw a PPLSupportError naming the distribution, the parameter, the first
 * offending element and the constraint, if any element of `value` violates it
 * (a no-op under `setValidation(false)`). While a model runs, the error is
 * thrown by the site the distribution is given to, with the site's name.
 * @param owner the distribution being constructed (its `name` is in the message, e.g. "Normal")
 * @param param the argument's name, e.g. "scale"
 */
export function checkParam(owner: Distribution, param: string, value: tf.Tensor, constraint: Constraint): void {
  if (!isValidationEnabled()) return;
  // a markov chain hands the same (step-cached) parameter tensor to every step of one parity: check it once per
  // loss call (tensors are immutable, and no variable changes during a call); a failed check is not kept
  let failed: PPLSupportError | undefined;
  stepCached([value, constraint], "constraint-passed", () => {
    failed = validationCheck(() => violation(owner.name, param, value, constraint));
    return failed === undefined ? true : undefined;
  });
  if (failed !== undefined) rejectParam(owner, failed);
}

function violation(dist: string, param: string, value: tf.Tensor, constraint: Constraint): PPLSupportError | undefined {
  const ok = tf.tidy(() => constraint.check(value));
  const flags = ok.dataSync();
  ok.dispose();
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) {
      const data = value.dataSync();
      const eventSize = constraint.eventDim > 0 ? value.shape.slice(-constraint.eventDim).reduce((a, b) => a * b, 1) : 1;
      const bad = Array.from(data.slice(i * eventSize, (i + 1) * eventSize)).map((v) => +v.toPrecision(6));
      return new PPLSupportError(
        `${dist}: parameter '${param}' must be ${constraint.name}, but element ${i} is ` +
          `${eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`} (shape ${formatShape(value.shape)})`,
        { expected: constraint.name, actual: String(eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`) },
      );
    }
  }
  return undefined;
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

/** Throw a PPLSupportError unless low < high elementwise (after broadcasting); in a model run, thrown by the site as checkParam's. */
export function checkOrdered(owner: Distribution, lowName: string, low: tf.Tensor, highName: string, high: tf.Tensor): void {
  if (!isValidationEnabled()) return;
  const i = validationCheck(() => {
    const ok = tf.tidy(() => high.greater(low));
    const flags = ok.dataSync();
    ok.dispose();
    return flags.findIndex((f) => !f);
  });
  if (i < 0) return;
  const shape = broadcastShapes([low.shape, high.shape]);
  const [lo, hi] = validationCheck(() => tf.tidy(() => [tf.broadcastTo(low, shape).dataSync()[i]!, tf.broadcastTo(high, shape).dataSync()[i]!]));
  rejectParam(owner, new PPLSupportError(
    `${owner.name}: parameter '${highName}' must be greater than '${lowName}', but element ${i} has ` +
      `${lowName} = ${+lo!.toPrecision(6)} and ${highName} = ${+hi!.toPrecision(6)}`,
    { expected: `${highName} > ${lowName}`, actual: `${lowName} = ${lo}, ${highName} = ${hi}` },
  ));
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
