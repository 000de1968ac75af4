/**
 * `plate(name, size, { dim, subsampleSize }, body)`: the sites in `body` are
 * conditionally independent along one batch dim. The plate tags each message
 * with its frame, broadcasts each distribution over its dim and scales the
 * log-density when subsampling.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import type { Distribution } from "../distributions/distribution.js";
import { Subsample } from "../distributions/subsample.js";
import { PPLConfigError, PPLModelError, PPLShapeError, formatShape } from "../errors.js";
import { handle } from "../runtime/handler.js";
import { tracked } from "../runtime/pending.js";
import type { ModelGenerator, PlateFrame, PlateMsg, SampleMsg } from "../runtime/messages.js";
import { makeSampleMsg } from "../runtime/primitives.js";

const plateOptions = z.object({
  dim: z.number().int().negative().optional(),
  subsampleSize: z.number().int().positive().optional(),
}).strict();

export type PlateOptions = z.infer<typeof plateOptions>;

/** The highest tensor rank ppl supports (tfjs wasm is wrong above it; TFJS-NOTES §4). */
const MAX_PLATE_RANK = 6;

export type PlateBody<R> = (indices: tf.Tensor) => ModelGenerator<R>;

export function plate<R>(name: string, size: number, body: PlateBody<R>): ModelGenerator<R>;
export function plate<R>(name: string, size: number, options: PlateOptions, body: PlateBody<R>): ModelGenerator<R>;
export function plate<R>(
  name: string,
  size: number,
  optionsOrBody: PlateOptions | PlateBody<R>,
  maybeBody?: PlateBody<R>,
): ModelGenerator<R> {
  return tracked(`plate('${name}')`, runPlate(name, size, optionsOrBody, maybeBody));
}

function* runPlate<R>(
  name: string,
  size: number,
  optionsOrBody: PlateOptions | PlateBody<R>,
  maybeBody?: PlateBody<R>,
): ModelGenerator<R> {
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  const rawOptions = typeof optionsOrBody === "function" ? {} : optionsOrBody;
  if (body === undefined) throw new PPLConfigError(`plate('${name}'): missing the body generator function`);
  if (!Number.isInteger(size) || size < 1) {
    throw new PPLConfigError(`plate('${name}'): size must be a positive integer, got ${size}`, {
      plate: name, expected: "positive integer", actual: String(size),
    });
  }
  const parsed = plateOptions.safeParse(rawOptions);
  if (!parsed.success) {
    throw new PPLConfigError(
      `plate('${name}'): invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` +
        "; valid options are dim (a negative integer) and subsampleSize (a positive integer)",
      {
        plate: name,
        expected: "dim, subsampleSize",
        actual: parsed.error.issues.map((i) => (i.code === "unrecognized_keys" ? i.keys.join(", ") : i.path.join("."))).join(", "),
      },
    );
  }
  const options = parsed.data;
  const subsampleSize = Math.min(options.subsampleSize ?? size, size);

  const dim = yield* claimDim(name, options.dim);
  const frame: PlateFrame = { name, size, subsampleSize, dim };

  let indices: tf.Tensor;
  if (subsampleSize < size) {
    const msg = makeSampleMsg(name, new Subsample(size, subsampleSize), "subsample", undefined);
    yield msg;
    indices = msg.value!;
  } else {
    indices = tf.range(0, size, 1, "int32");
  }

  return yield* withFrame(body(indices), frame, subsampleSize < size ? size / subsampleSize : 1);
}

/**
 * Ask the enclosing plates which dims they hold and settle this frame's dim:
 * the requested one, or the first free one. Shared with vectorizedMarkov,
 * whose time axis is a batch dim like a plate's.
 */
export function* claimDim(name: string, requested: number | undefined, kind = "plate"): ModelGenerator<number> {
  const query: PlateMsg = { type: "plate", name, frames: [], value: undefined, done: false, stop: false };
  yield query;
  const dim = requested ?? firstFreeDim(query.frames);
  if (dim < -MAX_PLATE_RANK) {
    // structural, always checked: tfjs wasm computes elementwise ops wrongly above rank 6
    throw new PPLShapeError(
      `${kind}('${name}') would use dim ${dim}, so its sites would have rank ${-dim} tensors, but ppl supports rank at most ${MAX_PLATE_RANK} ` +
        `(tfjs wasm is silently wrong above it). Enclosing plates: ${query.frames.map((f) => `'${f.name}'@${f.dim}`).join(", ") || "none"}.\n` +
        "Fix:\n- use fewer nested plates, or give this plate a dim closer to the right (e.g. dim: -1)\n" +
        "- flatten two plates into one plate over their product",
      { plate: name, expected: `dim >= ${-MAX_PLATE_RANK}`, actual: String(dim) },
    );
  }
  const clash = query.frames.find((f) => f.dim === dim);
  if (clash !== undefined) {
    throw new PPLShapeError(
      `plates '${clash.name}' and '${name}' collide at dim=${dim}; try moving one of them left, e.g. dim=${Math.min(...query.frames.map((f) => f.dim), dim) - 1}`,
      { plate: name, expected: "distinct plate dims", actual: `both at ${dim}` },
    );
  }
  const sameName = query.frames.find((f) => f.name === name);
  if (sameName !== undefined) {
    throw new PPLModelError(`${kind}('${name}') is nested inside a plate of the same name`, { plate: name });
  }
  return dim;
}

/** Tag every message of `gen` with `frame`, scale subsampled sites and broadcast each distribution over the frame's dim. */
export function withFrame<R>(gen: ModelGenerator<R>, frame: PlateFrame, subsampleScale: number): ModelGenerator<R> {
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
  if (full.length !== actual.length || full.some((s, i) => s !== actual[i])) msg.fn = fn.expand(full);
}
