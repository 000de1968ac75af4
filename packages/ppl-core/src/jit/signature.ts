/**
 * A loss call's signature: what a recorded program depends on in its
 * arguments besides tensor values. Tensors (anywhere in arrays and plain
 * objects) count by shape and dtype and become the program's inputs;
 * numbers, strings, booleans, null and undefined by value; typed arrays by content; functions by identity. A program is replayed
 * only for a call with the same signature.
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * The key, and the argument tensors in the order the key lists them (with the walk's leaves, to key the next call
 * cheaply); or why the arguments cannot be keyed.
 */
export type Signature =
  | { readonly key: string; readonly tensors: tf.Tensor[]; readonly leaves: readonly unknown[]; readonly unkeyable?: undefined }
  | { readonly key?: undefined; readonly tensors?: undefined; readonly leaves?: undefined; readonly unkeyable: string };

/** What could not be keyed, and where below the argument. */
interface Unkeyable {
  readonly kind: string;
  readonly path: string;
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

/**
 * The signature of `args`. A call usually repeats the previous one's structure: its leaves are walked and compared
 * with `previous`'s (no number or key is formatted: at a few dozen numbers that is most of the walk), and the key
 * is built only when they differ.
 */
export function signature(args: readonly unknown[], previous?: Signature): Signature {
  const tensors: tf.Tensor[] = [];
  const leaves: unknown[] = [];
  if (previous?.leaves !== undefined && leavesOf(args, tensors, leaves) && sameLeaves(leaves, previous.leaves)) {
    return { key: previous.key, tensors, leaves };
  }
  const keyed = keyOf(args);
  if (keyed.unkeyable !== undefined) return keyed;
  // the tensors in the key's order (the walks visit the same places in the same order)
  tensors.length = 0;
  leaves.length = 0;
  leavesOf(args, tensors, leaves);
  return { key: keyed.key, tensors: keyed.tensors, leaves };
}

/** Markers of the places the leaf walk passes: objects, so that no argument value equals one. */
const TENSOR = {}, ALIAS = {}, FUNCTION = {}, TYPED = {}, ARRAY = {}, OBJECT = {}, END = {}, ARGUMENT = {};

/**
 * Push onto `leaves` everything the key reads from `args`, in the order it reads it (tensors by dtype and shape,
 * an alias by the index of its first place, functions by identity), and onto `tensors` each distinct tensor:
 * equal leaves give equal keys. False when an argument holds what the key cannot key (the key's walk says where).
 */
function leavesOf(args: readonly unknown[], tensors: tf.Tensor[], leaves: unknown[]): boolean {
  const walk = (x: unknown): boolean => {
    // the primitives first: they are most leaves, and tfjs's instanceof Tensor is a function call
    if (x === null || x === undefined || typeof x === "number" || typeof x === "boolean" || typeof x === "string") {
      leaves.push(x);
      return true;
    }
    if (x instanceof tf.Tensor) {
      const alias = tensors.indexOf(x);
      if (alias >= 0) {
        leaves.push(ALIAS, alias);
        return true;
      }
      tensors.push(x);
      leaves.push(TENSOR, x.dtype, x.shape.length);
      for (const d of x.shape) leaves.push(d);
      return true;
    }
    if (typeof x === "function") {
      leaves.push(FUNCTION, x);
      return true;
    }
    if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
      leaves.push(TYPED, x.constructor, (x as unknown as ArrayLike<number>).length);
      for (let i = 0; i < (x as unknown as ArrayLike<number>).length; i++) leaves.push((x as unknown as ArrayLike<number>)[i]);
      return true;
    }
    if (Array.isArray(x)) {
      leaves.push(ARRAY);
      for (let i = 0; i < x.length; i++) if (!walk(x[i])) return false;
      leaves.push(END);
      return true;
    }
    const proto = Object.getPrototypeOf(x) as unknown;
    if (typeof x === "object" && (proto === Object.prototype || proto === null)) {
      leaves.push(OBJECT);
      for (const k of Object.keys(x).sort()) {
        leaves.push(k);
        if (!walk((x as Record<string, unknown>)[k])) return false;
      }
      leaves.push(END);
      return true;
    }
    return false;
  };
  for (let i = 0; i < args.length; i++) {
    if (!walk(args[i])) return false;
    leaves.push(ARGUMENT);
  }
  return true;
}

/** Equal leaves, by Object.is (a NaN equals a NaN, -0 is not 0: as the key formats them). */
function sameLeaves(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The key of `args`, and their distinct tensors in its order; or why they cannot be keyed. */
function keyOf(args: readonly unknown[]): { key: string; tensors: tf.Tensor[]; unkeyable?: undefined } | { key?: undefined; unkeyable: string } {
  const tensors: tf.Tensor[] = [];
  const seen = new Map<tf.Tensor, number>();
  const parts: string[] = [];
  // a failure's path is built on the way out (the walk of a good call makes no path strings)
  const walk = (x: unknown): Unkeyable | undefined => {
    if (x instanceof tf.Tensor) {
      const alias = seen.get(x);
      if (alias !== undefined) {
        parts.push(`=${alias}`);
        return undefined;
      }
      seen.set(x, tensors.length);
      tensors.push(x);
      parts.push(`T${x.dtype}[${x.shape.join(",")}]`);
      return undefined;
    }
    if (x === null || x === undefined || typeof x === "number" || typeof x === "boolean") {
      parts.push(String(x) + (Object.is(x, -0) ? "-" : ""));
      return undefined;
    }
    if (typeof x === "string") {
      parts.push(JSON.stringify(x));
      return undefined;
    }
    if (typeof x === "function") {
      let id = functionIds.get(x);
      if (id === undefined) functionIds.set(x, (id = nextFunctionId++));
      parts.push(`F${id}`);
      return undefined;
    }
    if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
      parts.push(`A${x.constructor.name}(${Array.prototype.join.call(x, ",")})`);
      return undefined;
    }
    if (Array.isArray(x)) {
      parts.push("[");
      for (let i = 0; i < x.length; i++) {
        const bad = walk(x[i]);
        if (bad !== undefined) return { kind: bad.kind, path: `[${i}]${bad.path}` };
      }
      parts.push("]");
      return undefined;
    }
    const proto = Object.getPrototypeOf(x) as unknown;
    if (typeof x === "object" && (proto === Object.prototype || proto === null)) {
      parts.push("{");
      for (const k of Object.keys(x).sort()) {
        parts.push(JSON.stringify(k));
        const bad = walk((x as Record<string, unknown>)[k]);
        if (bad !== undefined) return { kind: bad.kind, path: `.${k}${bad.path}` };
      }
      parts.push("}");
      return undefined;
    }
    return { kind: typeof x === "object" ? (x as object).constructor?.name ?? "an object" : typeof x, path: "" };
  };
  for (let i = 0; i < args.length; i++) {
    const bad = walk(args[i]);
    if (bad !== undefined) {
      return {
        unkeyable: `argument ${i}${bad.path} is ${bad.kind}, whose contents a compiled loss cannot key (pass tensors, numbers, strings, arrays or plain objects)`,
      };
    }
    parts.push(";");
  }
  return { key: parts.join(""), tensors };
}
