// Assertion helpers for the error tests: run a mistake, check the error's
// class, its message and its structured fields in one place.
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { PPLError } from "ppl-core";

export interface ExpectedFields {
  readonly site?: string;
  readonly plate?: string;
  /** Substrings the `expected` field must contain. */
  readonly expected?: string | readonly string[];
  /** Substrings the `actual` field must contain. */
  readonly actual?: string | readonly string[];
}

/** The error `f` throws (run inside a tidy so the attempt leaves no tensors); fails the test if it throws none. */
export function caught(f: () => unknown): Error {
  try {
    tf.tidy(() => {
      f();
    });
  } catch (e) {
    return e as Error;
  }
  expect.fail("expected the call to throw, but it returned normally");
}

/**
 * `f` throws an instance of `cls` whose message contains every entry of
 * `messages` and whose structured fields match `fields`.
 */
export function expectPPLError<E extends PPLError>(
  f: () => unknown,
  cls: abstract new (...args: never[]) => E,
  messages: readonly (string | RegExp)[],
  fields: ExpectedFields = {},
): E {
  const err = caught(f);
  if (!(err instanceof cls)) {
    expect.fail(`expected ${cls.name}, got ${err.constructor.name}: ${err.message}`);
  }
  expect(err).toBeInstanceOf(PPLError);
  if ((cls as unknown) !== PPLError) expect(err.name).toBe(cls.name);
  for (const m of messages) {
    if (typeof m === "string") expect(err.message).toContain(m);
    else expect(err.message).toMatch(m);
  }
  if (fields.site !== undefined) expect(err.site).toBe(fields.site);
  if (fields.plate !== undefined) expect(err.plate).toBe(fields.plate);
  for (const [key, want] of [["expected", fields.expected], ["actual", fields.actual]] as const) {
    if (want === undefined) continue;
    const got = err[key];
    expect(got, `the error's '${key}' field`).toBeTypeOf("string");
    for (const w of typeof want === "string" ? [want] : want) expect(got).toContain(w);
  }
  return err;
}
