/**
 * `ppl-hmm fit`: parse the options, prepare --out, read and check the data
 * (all before ppl and tfjs load: a mistake is reported in milliseconds),
 * then load the fitting modules, fit, and print the result.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { OptionError } from "../errors.js";
import { userPath } from "../paths.js";
import { helpText, parseCliOptions } from "./options.js";
import { checkData } from "./prep.js";
import { describeRead } from "./read.js";
import { readSignalFile } from "./read-file.js";

const USAGE = "usage: ppl-hmm fit <data.csv | data.json | --data FILE> [options]   (ppl-hmm fit --help)";

/** The output folder, made before any work: a file in the way is the user's error, now rather than after the fit. */
function prepareOut(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OptionError(`--out ${dir}: is a file, expected a folder (or a path to create one)`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new OptionError(`--out ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Runs `ppl-hmm fit <argv>`; resolves when done, rejects with a DataError for bad data or options. */
export async function run(argv: string[]): Promise<void> {
  const parsed = parseCliOptions(argv);
  if (parsed === undefined) {
    process.stdout.write(`${helpText()}\n`);
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
  const [{ describeBackend, ready }, { runFit }, { makeProgress }, { paramsTable }] = await Promise.all([
    import("ppl-core"),
    import("./run.js"),
    import("../progress.js"),
    import("../params.js"),
  ]);
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
