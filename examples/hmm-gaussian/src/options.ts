/** Command-line options shared by the example and ppl-hmm, parsed strictly and validated by zod. */
import { parseArgs } from "node:util";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { z } from "zod";
import { DataError } from "./data-io.js";

const schema = z.object({
  states: z.coerce.number().int().min(1).max(12),
  steps: z.coerce.number().int().min(1),
  lr: z.coerce.number().positive().finite(),
  restarts: z.coerce.number().int().min(1),
  seed: z.coerce.number().int(),
  out: z.string().min(1),
  json: z.boolean(),
  data: z.string().optional(),
  figures: z.boolean(),
  /** markov: the tutorial's loop; vectorized-markov: the same body under vectorizedMarkov; discrete-hmm: one DiscreteHMM site per sequence. */
  form: z.enum(["markov", "vectorized-markov", "discrete-hmm"]),
  /** The interpreted ELBO and decode instead of their compiled twins (docs/compiled.md): same numbers, slower. */
  interpreted: z.boolean(),
});

export type RunOptions = z.infer<typeof schema>;

export const DEFAULTS = { states: 3, steps: 250, lr: 0.05, restarts: 3, seed: 0, figures: true } as const;

export function parseOptions(argv: string[], defaults: { out: string }): { options: RunOptions; positionals: string[] } {
  const args = withoutPnpmSeparator(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        states: { type: "string" },
        steps: { type: "string" },
        lr: { type: "string" },
        restarts: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        data: { type: "string" },
        json: { type: "boolean" },
        "no-figures": { type: "boolean" },
        form: { type: "string" },
        interpreted: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new DataError(`${(err as Error).message} (options: --states --steps --lr --restarts --seed --out --data --json --no-figures --form --interpreted)`);
  }
  const v = parsed.values;
  const result = schema.safeParse({
    states: v.states ?? DEFAULTS.states,
    steps: v.steps ?? DEFAULTS.steps,
    lr: v.lr ?? DEFAULTS.lr,
    restarts: v.restarts ?? DEFAULTS.restarts,
    seed: v.seed ?? DEFAULTS.seed,
    out: userPath(v.out ?? defaults.out),
    json: v.json ?? false,
    data: v.data === undefined ? undefined : userPath(v.data),
    figures: !(v["no-figures"] ?? false),
    form: v.form ?? "markov",
    interpreted: v.interpreted ?? false,
  });
  if (!result.success) {
    const i = result.error.issues[0]!;
    throw new DataError(`--${i.path.join(".")}: ${i.message}`);
  }
  return { options: result.data, positionals: parsed.positionals };
}
