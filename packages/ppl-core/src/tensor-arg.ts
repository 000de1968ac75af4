/**
 * Tensor arguments from JavaScript callers, checked for kind before tfjs sees
 * them: a string, `undefined`, a ragged array or a disposed tensor would
 * otherwise fail deep inside tfjs with a message that names nothing of the
 * user's. Structural (no tensor data is read), so always on.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError, PPLShapeError, formatShape } from "./errors.js";

function kindOf(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "string") return `a string (${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)})`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "Object"})`;
  return `a ${typeof x}`;
}

type ArrayLikeOfNumbers = ArrayLike<unknown>;

function isArrayLike(v: unknown): v is ArrayLikeOfNumbers {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** The shape of a nested array of numbers; throws naming the first entry that is not a number or breaks the rectangle. */
function arrayShape(where: string, arg: string, x: readonly unknown[]): number[] {
  const shape: number[] = [];
  for (let level: unknown = x; isArrayLike(level); level = level[0]) shape.push(level.length);
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v === "number" || typeof v === "boolean") return;
      throw new PPLConfigError(
        `${where}: argument '${arg}' must hold numbers, but ${arg}${path} is ${kindOf(v)}`,
        { expected: "a nested array of numbers", actual: `${arg}${path}: ${kindOf(v)}` },
      );
    }
    if (!isArrayLike(v) || v.length !== shape[depth]) {
      const got = isArrayLike(v) ? `${v.length} entries` : kindOf(v);
      throw new PPLShapeError(
        `${where}: argument '${arg}' is a ragged array: ${arg}${path} has ${got} where ${arg}${"[0]".repeat(depth)} has ` +
          `${shape[depth]}. Every row of a nested array must have the same length (its shape would be ${formatShape(shape)}).`,
        { expected: `${shape[depth]} entries`, actual: `${arg}${path}: ${got}` },
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(x, 0, "");
  return shape;
}

/**
 * `x` as a float32 tensor, or a PPL error naming `where` (e.g. `Normal`,
 * `sample('y') obs`) and `arg` when it is missing, of the wrong kind, ragged
 * or a disposed tensor. A tensor passes through with its dtype; numbers and
 * arrays become float32.
 */
export function tensorArg(where: string, arg: string, x: unknown): tf.Tensor {
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) {
      throw new PPLConfigError(
        `${where}: argument '${arg}' is a disposed tensor (shape ${formatShape(x.shape)}): it was disposed, or made inside a ` +
          "tf.tidy that has ended.\nFix: keep tensors you reuse across runs outside tf.tidy (or tf.keep them), and dispose them after the last use",
        { expected: "a live tensor", actual: "disposed" },
      );
    }
    if (x.dtype === "string") {
      throw new PPLConfigError(`${where}: argument '${arg}' is a string tensor; it must hold numbers`, { expected: "a numeric tensor", actual: "string tensor" });
    }
    return x;
  }
  if (typeof x === "number") return tf.scalar(x, "float32");
  if (Array.isArray(x)) return tf.tensor(x as number[], arrayShape(where, arg, x), "float32");
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return tf.tensor(x as Float32Array, undefined, "float32");
  const missing = x === undefined;
  throw new PPLConfigError(
    missing
      ? `${where}: argument '${arg}' is missing (undefined). Pass a number, a nested array of numbers or a tf.Tensor`
      : `${where}: argument '${arg}' must be a number, a nested array of numbers or a tf.Tensor, got ${kindOf(x)}` +
        (typeof x === "string" && x.trim() !== "" && Number.isFinite(Number(x)) ? `; write ${Number(x)} without the quotes` : ""),
    { expected: "a number, a nested array of numbers or a tf.Tensor", actual: kindOf(x) },
  );
}

/** {@link tensorArg}, cast to float32 (a distribution's parameters). */
export function floatArg(where: string, arg: string, x: unknown): tf.Tensor {
  const t = tensorArg(where, arg, x);
  return t.dtype === "float32" ? t : t.cast("float32");
}
