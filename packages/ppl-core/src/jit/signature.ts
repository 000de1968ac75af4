/**
 * A loss call's signature: what a recorded program depends on in its
 * arguments besides tensor values. Tensors (anywhere in arrays and plain
 * objects) count by shape and dtype and become the program's inputs;
 * numbers, strings, booleans, null and undefined by value; typed arrays by content; functions by identity. A program is replayed
 * only for a call with the same signature.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The key, and the argument tensors in the order the key lists them; or why the arguments cannot be keyed. */
export type Signature =
  | { readonly key: string; readonly tensors: tf.Tensor[]; readonly unkeyable?: undefined }
  | { readonly key?: undefined; readonly tensors?: undefined; readonly unkeyable: string };

/** What could not be keyed, and where below the argument. */
interface Unkeyable {
  readonly kind: string;
  readonly path: string;
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

export function signature(args: readonly unknown[]): Signature {
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
