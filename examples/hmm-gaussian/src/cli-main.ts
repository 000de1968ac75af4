/**
 * ppl-hmm's command: `main(argv)` runs it (throws DataError for the user's
 * mistakes), `report(err)` prints an error as one line and gives its exit
 * code. src/cli.ts is the process around them.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { makeProgress } from "example-kit/progress";
import { describeBackend, ready } from "ppl-core";
import { OptionError, helpText, parseCliOptions } from "./cli-options.js";
import { type ReadSignal, readSignalFile } from "./cli-read.js";
import { checkData } from "./cli-prep.js";
import { runFit } from "./cli-run.js";
import { DataError } from "./data-io.js";
import { paramsTable } from "./report.js";

const USAGE = "usage: ppl-hmm fit <data.csv | data.json | --data FILE> [options]   (ppl-hmm --help)";

/** The output folder, made before any work: a file in the way is the user's error, now rather than after the fit. */
function prepareOut(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OptionError(`--out ${dir}: is a file, expected a folder (or a path to create one)`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new OptionError(`--out ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The one line saying what was read. */
export function describeRead(path: string, sig: ReadSignal): string {
  const lengths = sig.seqs.map((y) => y.length);
  const min = Math.min(...lengths);
  const max = Math.max(...lengths);
  const steps = min === max ? `${min} steps` : `${min}–${max} steps (${lengths.reduce((a, b) => a + b, 0)} values)`;
  const droppedTotal = [...sig.dropped.values()].reduce((a, b) => a + b, 0);
  const dropped = droppedTotal === 0 ? "no missing values" : `dropped ${droppedTotal} missing value(s) (${[...sig.dropped].map(([l, n]) => `${l}: ${n}`).join(", ")})`;
  const header = sig.format === "JSON" ? "" : `header: ${sig.header.used ? "yes" : "no"} (${sig.header.why}); `;
  return `read ${path}: ${sig.format}, ${sig.seqs.length} sequence(s) × ${steps}; ${header}${dropped}`;
}

async function fitCommand(rest: string[]): Promise<void> {
  const parsed = parseCliOptions(rest);
  if (parsed === undefined) {
    console.log(helpText());
    return;
  }
  const { options, positionals } = parsed;
  const path = options.data ?? (positionals[0] === undefined ? undefined : userPath(positionals[0]));
  if (path === undefined) throw new OptionError(`no data file given; ${USAGE}`);
  const extra = positionals.slice(options.data ? 0 : 1);
  if (extra.length > 0) throw new OptionError(`unexpected argument(s) '${extra.join(" ")}'; ${USAGE}`);
  prepareOut(options.out);
  const sig = readSignalFile(path, { header: options.header, missing: options.missing, ...(options.columns ? { columns: options.columns } : {}) });
  const say = options.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => process.stdout.write(`${s}\n`);
  say(describeRead(path, sig));
  const warnings = checkData(path, sig.seqs, sig.labels, options.states);
  for (const w of warnings) say(`warning: ${w}`);
  await ready();
  say(describeBackend());
  say(`fitting K=${options.states} states: up to ${options.restarts} restart(s) × ${options.maxSteps} steps of Adam(lr=${options.lr}), form ${options.form}, on standardised data`);
  const tty = process.stderr.isTTY === true;
  const result = await runFit(sig, options, say, tty ? () => makeProgress(options.restarts, options.maxSteps) : undefined, warnings);
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  say(paramsTable(result.params));
  say(`log-likelihood ${result.logLikelihood.toFixed(3)} nats (data units, ${result.numValues} values); chosen restart ${result.chosenRestart + 1} of ${options.restarts}; fit ${result.seconds.fit.toFixed(1)} s`);
  say(`wrote ${result.files.join(", ")}`);
}

/** Runs `ppl-hmm <argv>`; resolves when done, rejects with a DataError for bad data or options. */
export async function main(argv: string[]): Promise<void> {
  // `pnpm ppl-hmm -- fit ...` hands the program a literal "--" first
  const [command, ...rest] = withoutPnpmSeparator(argv);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(helpText());
    return;
  }
  if (command !== "fit") throw new OptionError(`unknown command '${command}'; ${USAGE}`);
  await fitCommand(rest);
}

/** The process's exit code for an error: 2 for the user's data and options, 1 for a fault of ours. */
export function report(err: unknown): number {
  if (err instanceof DataError) {
    process.stderr.write(`ppl-hmm: error: ${err.message.split("\n")[0]}\n`);
    return 2;
  }
  process.stderr.write(`ppl-hmm: internal error: ${(err as Error)?.message?.split("\n")[0] ?? String(err)} (please report it; PPL_DEBUG=1 prints the stack)\n`);
  if (process.env.PPL_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  return 1;
}

