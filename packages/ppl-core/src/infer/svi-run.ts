/** The options and result of `SVI.run`, parsed with zod like every user-supplied option. */
import * as z from "zod/mini";
import { PPLConfigError } from "../errors.js";
import { parseOptions } from "../options.js";
import type { ProgressBarOptions } from "./progress.js";
import { progressOption } from "./progress-option.js";

/** Options of `SVI.run`. */
export interface SVIRunOptions {
  /** Called after every step with its 0-based index and loss; returning `false` stops the run. */
  readonly onStep?: (step: number, loss: number) => boolean | void;
  /** Stop when the windowed relative change of the loss is below this (default: never stop early). */
  readonly tolerance?: number;
  /** Steps per window of the early-stopping rule (default 50; the first check is after 2·window steps). */
  readonly window?: number;
  /**
   * Show progress on stderr (default `false`: `run` prints nothing unless asked, like Pyro's loops;
   * NumPyro's `SVI.run` shows a bar by default). `true`: a redrawn bar on a terminal, a plain line
   * every tenth of the run otherwise; or the {@link ProgressBarOptions} (stream, label).
   */
  readonly progress?: boolean | ProgressBarOptions;
}

/** What `SVI.run` returns: every step's loss, and why the run stopped. */
export interface SVIRunResult {
  /** The loss of every step taken, before its update. */
  readonly losses: number[];
  /** `steps`: all numSteps ran; `converged`: the tolerance was met; `callback`: onStep returned false. */
  readonly stoppedBy: "steps" | "converged" | "callback";
}

const runOptions = z.strictObject({
  onStep: z.optional(z.custom<(step: number, loss: number) => boolean | void>((v) => typeof v === "function", "expected a function")),
  tolerance: z.optional(z.number().check(z.positive())),
  window: z._default(z.int().check(z.positive()), 50),
  progress: progressOption,
});

export function parseRunOptions(numSteps: number, args: unknown, options: SVIRunOptions): z.output<typeof runOptions> {
  if (!Number.isInteger(numSteps) || numSteps < 1) {
    throw new PPLConfigError(`SVI.run(numSteps, args, options): numSteps must be a positive integer, got ${String(numSteps)}`, {
      expected: "an integer ≥ 1",
      actual: String(numSteps),
    });
  }
  if (!Array.isArray(args)) {
    throw new PPLConfigError("SVI.run(numSteps, args, options): args must be the array of the model's arguments, e.g. [data]", {
      expected: "an array",
      actual: typeof args,
    });
  }
  return parseOptions("SVI.run", runOptions, options);
}
