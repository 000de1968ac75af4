/** The example's command line, parsed strictly and validated by zod. */
import { parseArgs } from "node:util";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { z } from "zod";

/** A bad command line: main prints the message and exits with status 2. */
export class OptionsError extends Error {
  override readonly name = "OptionsError";
}

const schema = z.object({
  /** How many appliances the household has, the first M of the catalogue. */
  appliances: z.coerce.number().int().min(2).max(20),
  /** Length of the disaggregated series, one reading a minute. */
  minutes: z.coerce.number().int().min(10).max(20_160),
  workflow: z.enum(["supervised", "unsupervised"]),
  inference: z.enum(["exact", "approx"]),
  seed: z.coerce.number().int(),
  /** SVI steps (per appliance when supervised). */
  steps: z.coerce.number().int().min(1),
  lr: z.coerce.number().positive().finite(),
  /** Joint states the approximation's beam keeps per minute (cost linear in it). */
  beamWidth: z.coerce.number().int().min(1).max(100_000),
  out: z.string().min(1),
  json: z.boolean(),
  figures: z.boolean(),
});

/** The parsed options. */
export type NilmOptions = z.infer<typeof schema>;

/** The defaults: three appliances, one day, supervised learning, exact MAP. */
export const DEFAULTS = { appliances: 3, minutes: 1440, workflow: "supervised", inference: "exact", seed: 0, steps: 100, lr: 0.01, beamWidth: 64, out: "out/nilm" } as const;

const USAGE = "options: --appliances M (2-20) --minutes T --workflow supervised|unsupervised --inference exact|approx --seed N --steps N --lr X --beam-width B --out DIR --json --no-figures";

/**
 * Parse argv (without node and the script).
 *
 * @example
 * parseOptions(["--appliances", "8", "--inference", "approx"]).appliances; // 8
 */
export function parseOptions(argv: readonly string[]): NilmOptions {
  const args = withoutPnpmSeparator(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        appliances: { type: "string" },
        minutes: { type: "string" },
        workflow: { type: "string" },
        inference: { type: "string" },
        seed: { type: "string" },
        steps: { type: "string" },
        lr: { type: "string" },
        "beam-width": { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        "no-figures": { type: "boolean" },
      },
    });
  } catch (err) {
    throw new OptionsError(`${(err as Error).message} (${USAGE})`);
  }
  const v = parsed.values;
  const result = schema.safeParse({
    appliances: v.appliances ?? DEFAULTS.appliances,
    minutes: v.minutes ?? DEFAULTS.minutes,
    workflow: v.workflow ?? DEFAULTS.workflow,
    inference: v.inference ?? DEFAULTS.inference,
    seed: v.seed ?? DEFAULTS.seed,
    steps: v.steps ?? DEFAULTS.steps,
    lr: v.lr ?? DEFAULTS.lr,
    beamWidth: v["beam-width"] ?? DEFAULTS.beamWidth,
    out: userPath(v.out ?? DEFAULTS.out),
    json: v.json ?? false,
    figures: !(v["no-figures"] ?? false),
  });
  if (!result.success) {
    const i = result.error.issues[0]!;
    const flag = i.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new OptionsError(`--${flag}: ${i.message}`);
  }
  return result.data;
}
