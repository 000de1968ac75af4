/**
 * The primitives a model uses with `yield*`: sample, param, factor,
 * deterministic. Each builds one message and returns an Effect.
 */
import * as tf from "@tensorflow/tfjs";
import type { Constraint } from "../constraints/constraint.js";
import { Delta } from "../distributions/delta.js";
import type { Distribution } from "../distributions/distribution.js";
import { Unit } from "../distributions/unit.js";
import { PPLConfigError, PPLModelError, PPLSupportError, formatShape } from "../errors.js";
import { toTensor, type TensorLike } from "../ops/tensor.js";
import { isValidationEnabled } from "../validation.js";
import { Effect } from "./effect.js";
import type { InferConfig, ParamMsg, SampleMsg, SampleRole } from "./messages.js";

export interface SampleOptions {
  /** Observed value: the site is conditioned on it. */
  obs?: TensorLike;
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

function checkObserved(name: string, value: tf.Tensor): void {
  if (!isValidationEnabled()) return;
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

export function makeSampleMsg(
  name: string,
  fn: Distribution,
  role: SampleRole,
  value: tf.Tensor | undefined,
  infer: InferConfig = {},
): SampleMsg {
  return {
    type: "sample", name, role, fn, value, isObserved: value !== undefined, infer,
    scale: 1, mask: true, condIndepStack: [], markov: [], enumInfo: undefined, seed: undefined,
    done: false, stop: false,
  };
}

/** Draw (or observe, with `obs`) a random variable named `name` from `fn`. */
export function sample(name: string, fn: Distribution, options: SampleOptions = {}): Effect<tf.Tensor> {
  checkName("sample", name);
  if (!(fn && typeof (fn as Distribution).logProb === "function")) {
    throw new PPLModelError(`sample('${name}'): the second argument must be a distribution, got ${String(fn)}`, {
      site: name,
    });
  }
  checkKeys(`sample('${name}')`, options, SAMPLE_KEYS);
  if (options.infer) checkKeys(`sample('${name}') infer`, options.infer, INFER_KEYS);
  let obs: tf.Tensor | undefined;
  if (options.obs !== undefined) {
    obs = toTensor(options.obs);
    checkObserved(name, obs);
  }
  return new Effect<tf.Tensor>(makeSampleMsg(name, fn, "sample", obs, options.infer ? { ...options.infer } : {}));
}

export interface ParamOptions {
  constraint?: Constraint;
}

const PARAM_KEYS = new Set(["constraint"]);

/**
 * A learnable parameter, stored unconstrained in the ParamStore and returned
 * constrained. `init` is used the first time only.
 */
export function param(name: string, init?: TensorLike | (() => tf.Tensor), options: ParamOptions = {}): Effect<tf.Tensor> {
  checkName("param", name);
  checkKeys(`param('${name}')`, options, PARAM_KEYS);
  const msg: ParamMsg = {
    type: "param",
    name,
    init: init === undefined || typeof init === "function" ? (init as (() => tf.Tensor) | undefined) : toTensor(init),
    constraint: options.constraint,
    value: undefined,
    condIndepStack: [],
    done: false,
    stop: false,
  };
  return new Effect<tf.Tensor>(msg);
}

/** Add `logFactor` to the model's log-density (Pyro's `factor`). */
export function factor(name: string, logFactor: TensorLike): Effect<tf.Tensor> {
  checkName("factor", name);
  const lf = toTensor(logFactor);
  const unit = new Unit(lf);
  return new Effect<tf.Tensor>(makeSampleMsg(name, unit, "factor", tf.zeros([...lf.shape, 0])));
}

/** Record a deterministic function of other sites in the trace; contributes nothing to the density. */
export function deterministic(name: string, value: TensorLike, eventDim?: number): Effect<tf.Tensor> {
  checkName("deterministic", name);
  const v = toTensor(value);
  const fn = new Delta(v, { eventDim: eventDim ?? v.rank });
  return new Effect<tf.Tensor>(makeSampleMsg(name, fn, "deterministic", v));
}
