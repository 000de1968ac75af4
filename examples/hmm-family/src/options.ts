/** The example's command line (hmm.py's options that apply here), parsed strictly and validated by zod. */
import { parseArgs } from "node:util";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { z } from "zod";
import { MODEL_NUMBERS } from "./models/index.js";

export class OptionsError extends Error {}

const schema = z.object({
  model: z.coerce.number().int().refine((n) => (MODEL_NUMBERS as readonly number[]).includes(n), "must be one of 0, 1, 2, 3, 4, 5, 6, 7"),
  sequences: z.coerce.number().int().min(1),
  testSequences: z.coerce.number().int().min(1),
  length: z.coerce.number().int().min(2),
  tones: z.coerce.number().int().min(1),
  hidden: z.coerce.number().int().min(1).max(16),
  nnDim: z.coerce.number().int().min(1),
  nnChannels: z.coerce.number().int().min(1),
  batchSize: z.coerce.number().int().min(1).optional(),
  steps: z.coerce.number().int().min(1),
  lr: z.coerce.number().positive().finite(),
  seed: z.coerce.number().int(),
  raftery: z.boolean(),
  json: z.boolean(),
  out: z.string().min(1, { error: "expected a directory for the figures" }),
  figures: z.boolean(),
});

export type Options = z.infer<typeof schema> & { model: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 };

/** Small defaults: hmm.py's shapes (sequences × steps × tones) at a size a laptop trains in seconds. */
export const DEFAULTS = {
  model: 1, sequences: 20, testSequences: 10, length: 16, tones: 8, hidden: 4, nnDim: 8, nnChannels: 2,
  steps: 50, lr: 0.05, seed: 0, out: "out/hmm-family",
} as const;

const FLAGS = {
  model: "m", sequences: "", "test-sequences": "", length: "", tones: "", hidden: "", "nn-dim": "", "nn-channels": "",
  "batch-size": "", steps: "n", lr: "", seed: "", out: "",
} as const;

export function parseOptions(argv: readonly string[]): Options {
  // `pnpm example:hmm-family -- --model 3` hands the script a literal "--"
  const args = withoutPnpmSeparator(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        ...Object.fromEntries(Object.entries(FLAGS).map(([k, short]) => [k, short ? { type: "string" as const, short } : { type: "string" as const }])),
        raftery: { type: "boolean" },
        json: { type: "boolean" },
        "no-figures": { type: "boolean" },
      },
    });
  } catch (err) {
    throw new OptionsError(`${(err as Error).message} (options: ${Object.keys(FLAGS).map((k) => `--${k}`).join(" ")} --raftery --json --no-figures)`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const result = schema.safeParse({
    model: v.model ?? DEFAULTS.model,
    sequences: v.sequences ?? DEFAULTS.sequences,
    testSequences: v["test-sequences"] ?? DEFAULTS.testSequences,
    length: v.length ?? DEFAULTS.length,
    tones: v.tones ?? DEFAULTS.tones,
    hidden: v.hidden ?? DEFAULTS.hidden,
    nnDim: v["nn-dim"] ?? DEFAULTS.nnDim,
    nnChannels: v["nn-channels"] ?? DEFAULTS.nnChannels,
    batchSize: v["batch-size"],
    steps: v.steps ?? DEFAULTS.steps,
    lr: v.lr ?? DEFAULTS.lr,
    seed: v.seed ?? DEFAULTS.seed,
    raftery: v.raftery ?? false,
    json: v.json ?? false,
    // under the folder the command ran in (pnpm runs the script in the package's folder); an empty --out is refused
    out: v.out === "" ? "" : userPath((v.out as string | undefined) ?? DEFAULTS.out),
    figures: v["no-figures"] !== true,
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = String(issue.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new OptionsError(`--${flag}: ${issue.message}`);
  }
  return result.data as Options;
}
