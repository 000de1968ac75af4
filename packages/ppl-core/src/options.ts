/** User-supplied options, parsed one way everywhere: a zod schema, and a PPLConfigError that says what is valid. */
import * as z from "zod";
import { PPLConfigError, type PPLErrorFields } from "./errors.js";

/**
 * `options` checked against `schema`, or a PPLConfigError naming `who`, each
 * bad option and the valid ones (`valid` describes them in words; default:
 * the schema's keys). `fields` adds to the error's fields (e.g. the plate).
 */
export function parseOptions<S extends z.ZodType>(
  who: string,
  schema: S,
  options: unknown,
  describe: { readonly valid?: string; readonly fields?: PPLErrorFields } = {},
): z.infer<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape as object).join(", ") : "";
    const valid = describe.valid ?? keys;
    throw new PPLConfigError(
      `${who}: invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` +
        (valid ? `; valid options are ${valid}` : ""),
      { ...describe.fields, expected: keys, actual: describeIssues(parsed.error.issues, options) },
    );
  }
  return parsed.data;
}

/** The unknown keys, or each bad option with the value given. */
function describeIssues(issues: readonly z.core.$ZodIssue[], options: unknown): string {
  const unknown = issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys : []));
  if (unknown.length > 0) return unknown.join(", ");
  return issues.map((i) => {
    let v: unknown = options;
    for (const k of i.path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
    const shown = typeof v === "function" ? "a function" : Array.isArray(v) || typeof v !== "object" ? JSON.stringify(v) : String(v);
    return `${i.path.join(".") || "(root)"}=${shown}`;
  }).join(", ");
}
