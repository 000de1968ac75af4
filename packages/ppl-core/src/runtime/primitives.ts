/**
 * The primitives a model uses with `yield*`: sample, param, factor,
 * deterministic. Each builds one message and returns an Effect.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, IndependentConstraint } from "../constraints/constraint.js";
import { Delta } from "../distributions/delta.js";
import type { Distribution } from "../distributions/base/distribution.js";
import { throwFailedCheck } from "../distributions/base/validate.js";
import { Unit } from "../distributions/base/unit.js";
import { PPLConfigError, PPLModelError, PPLShapeError, PPLSupportError, formatShape } from "../errors.js";
import type { TensorLike } from "../ops/tensor.js";
import { tensorArg } from "../tensor-arg.js";
import { checkTensorElements } from "../tensor-limit.js";
import { isValidationEnabled, validationCheck } from "../validation.js";
import { Effect } from "./effect.js";
import type { InferConfig, ParamMsg, SampleMsg, SampleRole } from "./messages.js";

/** Options of {@link sample}. */
export interface SampleOptions {
  /** Observed value: the site is conditioned on it. `undefined` (or absent): the site is latent and drawn. */
  obs?: TensorLike;
  /** Inference options, e.g. `{ enumerate: "parallel" }` to sum the site out with TraceEnumELBO. */
  infer?: InferConfig;
}

const SAMPLE_KEYS = new Set(["obs", "infer"]);
const INFER_KEYS = new Set(["enumerate", "expand"]);

function checkKeys(where: string, options: object, valid: Set<string>): void {
  for (const key of Object.keys(options)) {
    if (!valid.has(key)) {
      throw new PPLConfigError(`${where}: unknown option '${key}'; valid options are ${[...valid].join(", ")}`, {
        expected: [...valid].join(", "),
        actual: key,
      });
    }
  }
}

function checkName(kind: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new PPLConfigError(`${kind}: the site name must be a non-empty string, got ${String(name)}`);
  }
}

export function checkObserved(name: string, value: tf.Tensor): void {
  if (isValidationEnabled()) validationCheck(() => checkObservedFinite(name, value));
}

function checkObservedFinite(name: string, value: tf.Tensor): void {
  if (value.dtype !== "float32") return;
  const data = value.dataSync();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new PPLSupportError(
        `sample('${name}'): observed value has ${data[i]} at flat index ${i} (shape ${formatShape(value.shape)}); ` +
          "observations must be finite: drop or mask missing data with mask(...)",
        { site: name, expected: "finite values", actual: String(data[i]) },
      );
    }
  }
}

function isRealSupport(c: Constraint): boolean {
  return c.name === "real" || c.name === "dependent" || (c instanceof IndependentConstraint && isRealSupport(c.base));
}

/** An observed value outside the distribution's support gives a wrong (often NaN or 0) log-density: say so. */
export function checkObservedSupport(name: string, fn: Distribution, value: tf.Tensor): void {
  if (isValidationEnabled() && !isRealSupport(fn.support)) validationCheck(() => checkSupportOf(name, fn, value));
}

function checkSupportOf(name: string, fn: Distribution, value: tf.Tensor): void {
  let flags: Uint8Array | Int32Array | Float32Array;
  try {
    const ok = tf.tidy(() => fn.support.check(value.dtype === "float32" ? value : value.cast("float32")));
    flags = ok.dataSync() as Uint8Array | Int32Array | Float32Array;
    ok.dispose();
  } catch {
    return; // a shape mismatch: reported with the site's shapes when its log-prob is computed
  }
  const i = flags.findIndex((f) => !f);
  if (i < 0) return;
  const eventSize = fn.support.eventDim > 0 ? value.shape.slice(-fn.support.eventDim).reduce((a, b) => a * b, 1) : 1;
  const data = Array.from(value.dataSync().slice(i * eventSize, (i + 1) * eventSize));
  const bad = eventSize === 1 ? String(data[0]) : `[${data.join(", ")}]`;
  throw new PPLSupportError(
    `sample('${name}'): the observed value is outside the support of ${fn.name}: element ${i} is ${bad} ` +
      `(value shape ${formatShape(value.shape)}), but the support is ${fn.support.name}.\n` +
      "Fix:\n- check the data (e.g. category labels must be integers 0..K-1, counts non-negative integers)\n" +
      "- or use a distribution whose support contains the data",
    { site: name, expected: fn.support.name, actual: bad },
  );
}

/**
 * Structural, always checked (shapes only, no data read): the rightmost dims of
 * an observed value must equal the event shape. Broadcasting there would sum
 * a log-density over the wrong number of elements without any error.
 */
export function checkObservedEventShape(name: string, fn: Distribution, value: tf.Tensor): void {
  const event = fn.eventShape;
  if (event.length === 0) return;
  const tail = value.shape.slice(value.rank - event.length);
  if (value.rank >= event.length && tail.every((s, i) => s === event[i])) return;
  throw new PPLShapeError(
    `sample('${name}'): the observed value has shape ${formatShape(value.shape)}, but its rightmost ${event.length} dim(s) ` +
      `must equal the event shape ${formatShape(event)} of ${fn.name} (batch shape ${formatShape(fn.batchShape)}).\n` +
      "Fix:\n- reshape the data so it ends in the event shape\n" +
      "- or change .toEvent(n) so the event shape matches the data",
    { site: name, expected: `a shape ending in ${formatShape(event)}`, actual: formatShape(value.shape) },
  );
}

/** Always checked, before anything is allocated: a distribution's batch ++ event shape is the size its value and log-density take. */
function checkSize(name: string, fn: Distribution): void {
  const shape = [...fn.batchShape, ...fn.eventShape];
  checkTensorElements(shape.reduce((p, d) => p * d, 1), () => ({
    subject: `sample('${name}')`,
    site: name,
    holds: `its ${fn.name} distribution with batch shape ${formatShape(fn.batchShape)} and event shape ${formatShape(fn.eventShape)}`,
    fix: "use smaller plates (subsampleSize for data), or fewer or smaller dims in the distribution's parameters",
  }));
}

export function makeSampleMsg(
  name: string,
  fn: Distribution,
  role: SampleRole,
  value: tf.Tensor | undefined,
  infer: InferConfig = {},
): SampleMsg {
  return {
    type: "sample", name, role, fn, value, isObserved: value !== undefined, infer,
    scale: 1, mask: true, condIndepStack: [], markov: [], enumInfo: undefined, enumScope: undefined, seed: undefined,
    done: false, stop: false,
  };
}

/**
 * Draw (or observe, with `obs`) a random variable named `name` from `fn`
 * (Pyro's `pyro.sample`). Use with `yield*` in a model; the value has `fn`'s
 * batch ++ event shape, broadcast over the enclosing plates.
 *
 * @param name unique within one run (in a loop, put the index in it: `` `z_${t}` ``)
 * @param fn the distribution
 * @param options `{ obs, infer }`
 * @example
 * const mu = yield* sample("mu", dist.Normal(0, 1));
 * yield* sample("y", dist.Normal(mu, 1), { obs: y });
 * const z = yield* sample("z", dist.Categorical(probs), { infer: { enumerate: "parallel" } });
 */
export function sample(name: string, fn: Distribution, options: SampleOptions = {}): Effect<tf.Tensor> {
  checkName("sample", name);
  if (!(fn && typeof (fn as Distribution).logProb === "function")) {
    throw new PPLModelError(`sample('${name}'): the second argument must be a distribution, got ${String(fn)}`, {
      site: name,
    });
  }
  // a check of fn's parameters that failed when it was made (in this run) is thrown here, with the site
  throwFailedCheck(`sample('${name}')`, name, fn);
  checkKeys(`sample('${name}')`, options, SAMPLE_KEYS);
  if (options.infer) checkKeys(`sample('${name}') infer`, options.infer, INFER_KEYS);
  let obs: tf.Tensor | undefined;
  if (options.obs !== undefined) {
    obs = tensorArg(`sample('${name}')`, "obs", options.obs);
    checkObservedEventShape(name, fn, obs);
    checkObserved(name, obs);
    checkObservedSupport(name, fn, obs);
  }
  checkSize(name, fn);
  return new Effect<tf.Tensor>(makeSampleMsg(name, fn, "sample", obs, options.infer ? { ...options.infer } : {}));
}

/** Options of {@link param}. */
export interface ParamOptions {
  /** The support of the param (default `real`); it is kept unconstrained and mapped onto it. */
  constraint?: Constraint;
}

const PARAM_KEYS = new Set(["constraint"]);

/**
 * A learnable parameter, stored unconstrained in the ParamStore and returned
 * constrained (Pyro's `pyro.param`). `init` is used the first time only.
 *
 * @param name the key in the ParamStore
 * @param init the initial (constrained) value, or a function making it; may be omitted once the param exists
 * @param options `{ constraint }`
 * @example
 * const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
 */
export function param(name: string, init?: TensorLike | (() => tf.Tensor), options: ParamOptions = {}): Effect<tf.Tensor> {
  checkName("param", name);
  checkKeys(`param('${name}')`, options, PARAM_KEYS);
  const msg: ParamMsg = {
    type: "param",
    name,
    init: init === undefined || typeof init === "function" ? (init as (() => tf.Tensor) | undefined) : tensorArg(`param('${name}')`, "init", init),
    constraint: options.constraint,
    value: undefined,
    condIndepStack: [],
    done: false,
    stop: false,
  };
  return new Effect<tf.Tensor>(msg);
}

/**
 * Add `logFactor` to the model's log-density (Pyro's `pyro.factor`).
 *
 * @example
 * yield* factor("penalty", w.square().sum().neg());
 */
export function factor(name: string, logFactor: TensorLike): Effect<tf.Tensor> {
  checkName("factor", name);
  const lf = tensorArg(`factor('${name}')`, "logFactor", logFactor);
  const unit = new Unit(lf);
  return new Effect<tf.Tensor>(makeSampleMsg(name, unit, "factor", tf.zeros([...lf.shape, 0])));
}

/**
 * Record a deterministic function of other sites in the trace (Pyro's
 * `pyro.deterministic`); it contributes nothing to the density.
 *
 * @param eventDim how many rightmost dims are one event (default: all of them)
 * @example
 * yield* deterministic("sum", a.add(b));
 */
export function deterministic(name: string, value: TensorLike, eventDim?: number): Effect<tf.Tensor> {
  checkName("deterministic", name);
  const v = tensorArg(`deterministic('${name}')`, "value", value);
  const fn = new Delta(v, { eventDim: eventDim ?? v.rank });
  return new Effect<tf.Tensor>(makeSampleMsg(name, fn, "deterministic", v));
}
