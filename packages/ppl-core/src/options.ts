/**
 * User-supplied options, parsed one way everywhere: a zod/mini schema, and a
 * PPLConfigError that says what is valid. zod/mini (not "zod") because its
 * schemas are plain functions a bundler drops when unused: a page carries the
 * checks ppl uses, not all of zod (docs/browser.md).
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { PPLConfigError, type PPLErrorFields } from "./errors.js";

/**
 * zod/mini loads no messages; ppl's are zod's English ones, given per parse
 * so that neither ppl nor an app's own z.config changes the other's.
 */
const english = en().localeError;

/** `value` checked against `schema`, issues worded in English: the one way ppl runs a schema. */
export function safeParse<S extends z.ZodMiniType>(schema: S, value: unknown): z.core.util.SafeParseResult<z.output<S>> {
  return schema.safeParse(value, { error: english });
}

/**
 * `options` checked against `schema`, or a PPLConfigError naming `who`, each
 * bad option and the valid ones (`valid` describes them in words; default:
 * the schema's keys). `fields` adds to the error's fields (e.g. the plate).
 */
export function parseOptions<S extends z.ZodMiniType>(
  who: string,
  schema: S,
  options: unknown,
  describe: { readonly valid?: string; readonly fields?: PPLErrorFields } = {},
): z.output<S> {
  const parsed = safeParse(schema, options ?? {});
  if (!parsed.success) {
    const keys = schema instanceof z.ZodMiniObject ? Object.keys(schema.shape as object).join(", ") : "";
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
