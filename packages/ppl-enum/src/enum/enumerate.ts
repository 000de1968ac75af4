/** The user-facing model transformers `enumerate` and `configEnumerate`. */
import * as z from "zod/mini";
import { withHandler } from "ppl-core";
import { parseOptions } from "ppl-core/internal";
import type { Model } from "ppl-core";
import { EnumMessenger } from "./enum-handler.js";

const enumerateOptions = z.strictObject({
  /** The rightmost dim enumeration may use: -1 - maxPlateNesting. */
  firstAvailableDim: z.int().check(z.negative()),
});

export type EnumerateOptions = z.input<typeof enumerateOptions>;

/**
 * Enumerate every unobserved site marked `infer.enumerate = "parallel"` in
 * parallel: its value becomes its support along a fresh dim at or left of
 * `firstAvailableDim`. Each run gets a fresh allocator.
 */
export function enumerate<A extends unknown[], R>(model: Model<A, R>, options: EnumerateOptions): Model<A, R> {
  const o = parseOptions("enumerate", enumerateOptions, options);
  return withHandler(model, () => new EnumMessenger(o.firstAvailableDim));
}

/**
 * Mark every unobserved discrete site with enumerable support and no explicit
 * `infer.enumerate` for enumeration (Pyro's config_enumerate).
 */
export function configEnumerate<A extends unknown[], R>(
  model: Model<A, R>,
  strategy: "parallel" | "sequential" = "parallel",
): Model<A, R> {
  parseOptions("configEnumerate", z.strictObject({ strategy: z.enum(["parallel", "sequential"]) }), { strategy });
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.role !== "sample" || msg.isObserved || msg.value !== undefined) return;
      if (msg.infer.enumerate !== undefined || !msg.fn.hasEnumerateSupport) return;
      msg.infer = { ...msg.infer, enumerate: strategy };
    },
  }));
}
