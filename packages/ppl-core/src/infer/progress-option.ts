/**
 * The `progress` option of the loops that show a {@link ProgressBar} (`SVI.run`,
 * `Predictive`): `false` (the default, nothing), `true` (stderr, the loop's own
 * label and unit) or the bar's options. One zod schema, so both check it alike.
 */
import * as z from "zod/mini";
import { ProgressBar, type ProgressBarOptions } from "./progress.js";

/** `progress: boolean | ProgressBarOptions`, defaulting to false. */
export const progressOption = z._default(z.union([
  z.boolean(),
  z.strictObject({
    stream: z.optional(z.custom<NonNullable<ProgressBarOptions["stream"]>>(
      (v) => typeof v === "object" && v !== null && typeof (v as { write?: unknown }).write === "function",
      "expected a stream with a write(text) method",
    )),
    label: z.optional(z.string()),
    unit: z.optional(z.string().check(z.minLength(1))),
    clock: z.optional(z.custom<() => number>((v) => typeof v === "function", "expected a function returning milliseconds")),
  }),
]), false);

/** The bar a parsed `progress` option asks for over `total` steps (none for `false`); the loop's defaults fill what the user left out. */
export function progressBar(option: z.output<typeof progressOption>, total: number, defaults: ProgressBarOptions = {}): ProgressBar | undefined {
  if (option === false) return undefined;
  return new ProgressBar(total, option === true ? defaults : { ...defaults, ...option });
}
