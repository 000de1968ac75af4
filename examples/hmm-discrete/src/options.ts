/** Command-line options, parsed strictly by node's parseArgs and validated by zod; every error names its option. */
import { parseArgs } from "node:util";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { z } from "zod";

/** A bad command line: the message names the option and what was expected. */
export class OptionError extends Error {
  override readonly name = "OptionError";
}

const int = (what: string) => z.coerce.number({ error: `expected ${what}` }).int({ error: `expected ${what}` });

const schema = z.object({
  states: int("2 or 3 (the hidden states of a truth in truth.ts)").refine((k) => k === 2 || k === 3, {
    error: "expected 2 or 3 (the hidden states of a truth in truth.ts)",
  }),
  steps: int("a whole number of SVI steps ≥ 1").min(1, { error: "expected a whole number of SVI steps ≥ 1" }),
  lr: z.coerce.number({ error: "expected a positive, finite learning rate" }).positive({ error: "expected a positive, finite learning rate" }),
  restarts: int("a whole number of restarts ≥ 1").min(1, { error: "expected a whole number of restarts ≥ 1" }),
  seed: int("an integer seed"),
  out: z.string().min(1, { error: "expected a directory for the figures" }),
  json: z.boolean(),
  figures: z.boolean(),
});

/** The validated options of one run. */
export type RunOptions = Omit<z.infer<typeof schema>, "states"> & { states: 2 | 3 };

/**
 * The example's defaults: the three-state truth (well identified from 5 000 days), 3 restarts of 300
 * Adam steps at lr 0.1 (a restart reaches the optimum in 150–400 steps; the best of three has, at seed 0).
 */
export const DEFAULTS = { states: 3, steps: 300, lr: 0.1, restarts: 3, seed: 0, out: "out/hmm-discrete" } as const;

const OPTION_LIST = "--states --steps --lr --restarts --seed --out --json --no-figures";

/** Parse `argv` (without node and the script); throws OptionError naming the bad option. */
export function parseOptions(argv: readonly string[]): RunOptions {
  const args = withoutPnpmSeparator(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        states: { type: "string" },
        steps: { type: "string" },
        lr: { type: "string" },
        restarts: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        "no-figures": { type: "boolean" },
      },
    });
  } catch (err) {
    throw new OptionError(`${(err as Error).message} (options: ${OPTION_LIST})`);
  }
  const v = parsed.values;
  const raw = {
    states: v.states ?? DEFAULTS.states,
    steps: v.steps ?? DEFAULTS.steps,
    lr: v.lr ?? DEFAULTS.lr,
    restarts: v.restarts ?? DEFAULTS.restarts,
    seed: v.seed ?? DEFAULTS.seed,
    // an empty --out would resolve to the current folder: let the schema reject it
    out: v.out === "" ? "" : userPath(v.out ?? DEFAULTS.out),
    json: v.json ?? false,
    figures: !(v["no-figures"] ?? false),
  };
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    const given = (v as Record<string, unknown>)[name];
    // an empty string coerces to 0, so say what was typed rather than what zod saw
    throw new OptionError(`--${name}: ${issue.message}${typeof given === "string" ? `, got '${given}'` : ""}`);
  }
  return { ...result.data, states: result.data.states as 2 | 3 };
}
