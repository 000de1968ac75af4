/**
 * `plate(name, size, { dim, subsampleSize }, body)`: the sites in `body` are
 * conditionally independent along one batch dim. The plate tags each message
 * with its frame, broadcasts each distribution over its dim and scales the
 * log-density when subsampling.
 *
 * `plate(name, size, { sequential: true }, function* (i) {...})` is Pyro's
 * `for i in pyro.plate(name, size)`: the body runs once per member i, with
 * no batch dim, each run tagged with its own frame (no dim,
 * `vectorized: false`); it returns the body's results in order.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import type { Distribution } from "../distributions/base/distribution.js";
import { Subsample } from "../distributions/base/subsample.js";
import { PPLConfigError, PPLModelError, PPLShapeError, formatShape } from "../errors.js";
import { checkTensorElements } from "../tensor-limit.js";
import { parseOptions } from "../options.js";
import { handle } from "../runtime/handler.js";
import { tracked } from "../runtime/pending.js";
import type { CondIndepFrame, Model, ModelGenerator, PlateFrame, PlateMsg, SampleMsg, SequentialFrame } from "../runtime/messages.js";
import { makeSampleMsg } from "../runtime/primitives.js";

const plateOptions = z.strictObject({
  dim: z.optional(z.int().check(z.negative())),
  subsampleSize: z.optional(z.int().check(z.positive())),
  sequential: z.optional(z.boolean()),
});

/** Options of a vectorised plate. */
export interface PlateOptions {
  /** The batch dim (negative); default the rightmost free one. */
  dim?: number;
  /** Run the body on a random subset of this many members, scaling log-densities by size / subsampleSize. */
  subsampleSize?: number;
  /** `false` or absent: vectorised. */
  sequential?: false;
}

/** Options of a sequential plate: it has no dim. */
export interface SequentialPlateOptions {
  /** Run the body once per member (Pyro's `for i in pyro.plate(...)`). */
  sequential: true;
  /** Visit a random subset of this many members, scaling log-densities by size / subsampleSize. */
  subsampleSize?: number;
}

/** Whether a condIndepStack frame is a vectorised plate (it has a batch dim). */
export function isVectorizedFrame(f: CondIndepFrame): f is PlateFrame {
  return f.dim !== undefined;
}

/** The body of a vectorised plate, given the members' indices (int32 `[subsampleSize]`: all of them unless subsampled). */
export type PlateBody<R> = (indices: tf.Tensor) => ModelGenerator<R>;
/** The body of a sequential plate: run once per member, given its index. */
export type SequentialPlateBody<R> = (index: number) => ModelGenerator<R>;

/**
 * The sites in `body` are conditionally independent along one batch dim, the
 * rightmost free one (Pyro's `with pyro.plate(name, size):`). Returns the body's result.
 *
 * @example
 * yield* plate("data", x.shape[0], function* () {
 *   yield* sample("obs", dist.Normal(mu, 1), { obs: x });
 * });
 */
export function plate<R>(name: string, size: number, body: PlateBody<R>): ModelGenerator<R>;
/**
 * A sequential plate (Pyro's `for i in pyro.plate(name, size):`): the body runs
 * once per member with its index and no batch dim. Returns the bodies' results in order.
 *
 * @example
 * yield* plate("data", N, { sequential: true }, function* (i) {
 *   yield* sample(`x_${i}`, dist.Normal(mu, 1), { obs: x[i] });
 * });
 */
export function plate<R>(name: string, size: number, options: SequentialPlateOptions, body: SequentialPlateBody<R>): ModelGenerator<R[]>;
/**
 * A vectorised plate at a given `dim`, optionally subsampled (Pyro's
 * `with pyro.plate(name, size, dim=..., subsample_size=...) as idx:`).
 *
 * @example
 * yield* plate("seqs", S, { dim: -2 }, function* () { ... });
 * yield* plate("data", N, { subsampleSize: 32 }, function* (idx) {
 *   yield* sample("obs", dist.Normal(mu, 1), { obs: x.gather(idx) });
 * });
 */
export function plate<R>(name: string, size: number, options: PlateOptions, body: PlateBody<R>): ModelGenerator<R>;
export function plate<R>(
  name: string,
  size: number,
  optionsOrBody: PlateOptions | SequentialPlateOptions | PlateBody<R>,
  maybeBody?: PlateBody<R> | SequentialPlateBody<R>,
): ModelGenerator<R> | ModelGenerator<R[]> {
  return tracked(`plate('${name}')`, runPlate(name, size, optionsOrBody, maybeBody) as ModelGenerator<R>);
}

function* runPlate<R>(
  name: string,
  size: number,
  optionsOrBody: PlateOptions | SequentialPlateOptions | PlateBody<R>,
  maybeBody?: PlateBody<R> | SequentialPlateBody<R>,
): ModelGenerator<R | R[]> {
  if (typeof name !== "string" || name === "") {
    // plate(100, body): the name forgotten, so the size reads as the name and the body as the size
    const forgotten = typeof name === "number" && (typeof size as unknown) === "function";
    throw new PPLConfigError(
      `plate(name, size, body): the first argument must be the plate's name, a non-empty string, got ${JSON.stringify(name) ?? String(name)}` +
        (forgotten ? `. Fix: name the plate, e.g. plate("data", ${name}, function* () { ... })` : ""),
      { expected: "a non-empty string", actual: JSON.stringify(name) ?? String(name) },
    );
  }
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  const rawOptions = typeof optionsOrBody === "function" ? undefined : optionsOrBody;
  if (typeof body !== "function") throw new PPLConfigError(`plate('${name}'): missing the body generator function`);
  if (!Number.isInteger(size) || size < 1) {
    throw new PPLConfigError(`plate('${name}'): size must be a positive integer, got ${size}`, {
      plate: name, expected: "positive integer", actual: String(size),
    });
  }
  // plate(name, size, body), the common form, has no options to check (a schema's parse is ~3 µs a run)
  const options: z.output<typeof plateOptions> = rawOptions === undefined ? {} : parseOptions(`plate('${name}')`, plateOptions, rawOptions, {
    valid: "dim (a negative integer), subsampleSize (a positive integer) and sequential (a boolean)",
    fields: { plate: name },
  });
  const subsampleSize = Math.min(options.subsampleSize ?? size, size);
  if (options.sequential === true) {
    if (options.dim !== undefined) {
      throw new PPLConfigError(
        `plate('${name}'): a sequential plate has no batch dim, so it takes no dim option (got dim: ${options.dim}).\n` +
          "Fix: drop dim, or drop sequential: true for a vectorised plate at that dim",
        { plate: name, expected: "sequential: true without dim", actual: `dim: ${options.dim}` },
      );
    }
    return yield* runSequential(name, size, subsampleSize, body as SequentialPlateBody<R>);
  }

  // before tf.range(size): a plate of 1e9 members would fill the heap before its first site
  checkTensorElements(subsampleSize, () => ({
    subject: `plate('${name}')`, plate: name, holds: `its ${subsampleSize.toLocaleString("en-US")} members`,
    fix: `subsample: plate('${name}', ${size}, { subsampleSize: n }, ...), scaling log-densities by ${size} / n`,
  }));
  return yield* vectorizedPlate(name, size, subsampleSize, options.dim, body as PlateBody<R>);
}

function* vectorizedPlate<R>(
  name: string, size: number, subsampleSize: number, requestedDim: number | undefined, body: PlateBody<R>,
): ModelGenerator<R> {
  const dim = yield* claimDim(name, requestedDim);
  const frame: PlateFrame = { name, size, subsampleSize, dim };
  const indices = yield* drawIndices(name, size, subsampleSize);
  return yield* withFrame(body(indices), frame, subsampleSize < size ? size / subsampleSize : 1);
}

/** The members this run sees: a subsample site (replayable, like Pyro's) when subsampling, else all of them. */
function* drawIndices(name: string, size: number, subsampleSize: number): ModelGenerator<tf.Tensor> {
  if (subsampleSize >= size) return tf.range(0, size, 1, "int32");
  const msg = makeSampleMsg(name, new Subsample(size, subsampleSize), "subsample", undefined);
  yield msg;
  return msg.value!;
}

/** Pyro's `for i in plate(...)`: the body once per (subsampled) member, each run its own frame. */
function* runSequential<R>(name: string, size: number, subsampleSize: number, body: SequentialPlateBody<R>): ModelGenerator<R[]> {
  yield* checkName(name, "plate");
  // no tensor when every member runs: nothing would own it
  const indices = subsampleSize < size
    ? Array.from((yield* drawIndices(name, size, subsampleSize)).dataSync())
    : Array.from({ length: size }, (_, i) => i);
  const scale = subsampleSize < size ? size / subsampleSize : 1;
  const results: R[] = [];
  for (const index of indices) {
    const frame: SequentialFrame = { name, size, subsampleSize, dim: undefined, vectorized: false, index };
    results.push(yield* withFrame(body(index), frame, scale));
  }
  return results;
}

/** A plate nested in an enclosing plate (vectorised or sequential) of the same name is an error. */
function* checkName(name: string, kind: string): ModelGenerator<void> {
  const query: PlateMsg = { type: "plate", name, frames: [], value: undefined, done: false, stop: false };
  yield query;
  if (query.frames.some((f) => f.name === name)) {
    throw new PPLModelError(`${kind}('${name}') is nested inside a plate of the same name`, { plate: name });
  }
}

/**
 * Ask the enclosing plates which dims they hold and settle this frame's dim:
 * the requested one, or the first free one. Shared with vectorizedMarkov,
 * whose time axis is a batch dim like a plate's.
 */
export function* claimDim(name: string, requested: number | undefined, kind = "plate"): ModelGenerator<number> {
  const query: PlateMsg = { type: "plate", name, frames: [], value: undefined, done: false, stop: false };
  yield query;
  const held = query.frames.filter(isVectorizedFrame);
  const dim = requested ?? firstFreeDim(held);
  const clash = held.find((f) => f.dim === dim);
  if (clash !== undefined) {
    throw new PPLShapeError(
      `plates '${clash.name}' and '${name}' collide at dim=${dim}; try moving one of them left, e.g. dim=${Math.min(...held.map((f) => f.dim), dim) - 1}`,
      { plate: name, expected: "distinct plate dims", actual: `both at ${dim}` },
    );
  }
  const sameName = query.frames.find((f) => f.name === name);
  if (sameName !== undefined) {
    throw new PPLModelError(`${kind}('${name}') is nested inside a plate of the same name`, { plate: name });
  }
  return dim;
}

/**
 * Tag every message of `gen` with `frame`, scale subsampled sites and
 * broadcast each distribution over the vectorised frames' dims.
 */
export function withFrame<R>(gen: ModelGenerator<R>, frame: CondIndepFrame, subsampleScale: number): ModelGenerator<R> {
  return handle(gen, {
    process(msg) {
      if (msg.type === "plate") {
        msg.frames.push(frame);
        return;
      }
      msg.condIndepStack.push(frame);
      if (msg.type !== "sample" || msg.role === "subsample") return;
      if (subsampleScale !== 1) {
        msg.scale = typeof msg.scale === "number" ? msg.scale * subsampleScale : msg.scale.mul(subsampleScale);
      }
      broadcastOverPlates(msg);
    },
  });
}

function firstFreeDim(frames: readonly PlateFrame[]): number {
  let dim = -1;
  while (frames.some((f) => f.dim === dim)) dim--;
  return dim;
}

/** Expand the site's distribution so every enclosing plate's dim has the plate's size. */
function broadcastOverPlates(msg: SampleMsg): void {
  const fn: Distribution = msg.fn;
  const actual = fn.batchShape;
  const target: (number | undefined)[] = actual.map((s) => (s === 1 ? undefined : s));
  for (const f of msg.condIndepStack) {
    if (!isVectorizedFrame(f)) continue;
    const need = -f.dim;
    while (target.length < need) target.unshift(undefined);
    const at = target.length + f.dim;
    const current = target[at];
    if (current !== undefined && current !== f.subsampleSize) {
      throw new PPLShapeError(
        `at site '${msg.name}': shape mismatch inside plate('${f.name}') at dim ${f.dim}: ` +
          `the distribution has size ${current} there but the plate has size ${f.subsampleSize} ` +
          `(batch shape ${formatShape(actual)}). Fix: give the parameters size ${f.subsampleSize} or 1 at dim ${f.dim}, ` +
          "or move the plate to the dim that holds this size",
        { site: msg.name, plate: f.name, expected: `${f.subsampleSize} or 1 at dim ${f.dim}`, actual: formatShape(actual) },
      );
    }
    target[at] = f.subsampleSize;
  }
  const full = target.map((s, i) => {
    if (s !== undefined) return s;
    const j = actual.length - target.length + i;
    return j >= 0 ? actual[j]! : 1;
  });
  if (full.length === actual.length && full.every((s, i) => s === actual[i])) return;
  const plates = msg.condIndepStack.filter(isVectorizedFrame);
  checkTensorElements([...full, ...fn.eventShape].reduce((p, d) => p * d, 1), () => ({
    subject: `sample('${msg.name}')`, site: msg.name,
    holds: `its ${fn.name} distribution over plates ${plates.map((f) => `'${f.name}' (${f.subsampleSize})`).join(", ")} (batch shape ${formatShape(full)})`,
    fix: "subsample the largest plate (subsampleSize), or split the data into batches",
  }));
  msg.fn = fn.expand(full);
}

/**
 * `model` run inside one more vectorised plate `name` of `size` at `dim`: how
 * vectorised particles (the ELBOs) and vectorised predictive samples
 * (Predictive) batch a whole model, left of its own plates.
 */
export function inOuterPlate<A extends unknown[], R>(
  model: Model<A, R>, name: string, size: number, dim: number, request: { readonly who: string; readonly fix: string },
): Model<A, R> {
  return function* (...args: A) {
    // every site inside has at least `size` elements: a billion particles or draws cannot fit, whatever the sites
    checkTensorElements(size, () => ({
      subject: request.who, plate: name, holds: `its ${size.toLocaleString("en-US")} copies of the model (plate '${name}')`, fix: request.fix,
    }));
    // every member, and no body reads their indices: none are drawn (a range kernel per run saved)
    const claimed = yield* claimDim(name, dim);
    return yield* withFrame(model(...args), { name, size, subsampleSize: size, dim: claimed, replicate: true }, 1);
  };
}
