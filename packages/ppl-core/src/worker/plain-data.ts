/**
 * What may cross to the host: numbers, strings, booleans, null, undefined,
 * arrays, plain objects and typed arrays. A tensor or a class instance would
 * arrive as a hollow object (structured clone drops prototypes and tfjs keeps
 * a tensor's numbers in its backend), so it is refused with the path to it.
 */
import { PPLConfigError } from "../errors.js";

/** The path to the first value that is not plain data, with its kind; undefined when all is plain. */
function firstNonPlain(value: unknown, path: string, seen: Set<object>): { path: string; kind: string } | undefined {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function") return { path, kind: "a function" };
    if (typeof value === "symbol") return { path, kind: "a symbol" };
    return undefined;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstNonPlain(value[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "an object with a prototype";
    const isTensor = "dataId" in value && "shape" in value;
    return { path, kind: isTensor ? "a tensor" : `a ${name}` };
  }
  for (const [k, v] of Object.entries(value)) {
    const bad = firstNonPlain(v, `${path}.${k}`, seen);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * Throws a PPLConfigError naming where `value` holds something that is not
 * plain data. `what` names the value in the message ("the task's result").
 */
export function checkPlainData(value: unknown, what: string): void {
  const bad = firstNonPlain(value, "", new Set());
  if (bad === undefined) return;
  const where = bad.path === "" ? what : `${what} at ${bad.path.replace(/^\./, "")}`;
  throw new PPLConfigError(
    `${where} is ${bad.kind}; a worker task must return and report plain data (numbers, strings, arrays, plain objects, typed arrays)` +
      (bad.kind === "a tensor" ? ": read the tensor with `t.arraySync()` or `await t.array()` and dispose it" : ""),
    { expected: "plain data", actual: bad.kind },
  );
}
