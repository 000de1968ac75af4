/**
 * `ppl-hmm fit`: parse the options, prepare --out, read and check the data
 * (all before ppl and tfjs load: a mistake is reported in milliseconds),
 * then load the fitting modules, fit, and print the result.
 */
import { OptionError } from "../errors.js";
import { OutputFolder, environmentError } from "../output.js";
import { userPath } from "../paths.js";
import { type CliOptions, helpText, parseCliOptions } from "./options.js";
import { checkData } from "./prep.js";
import { describeRead } from "./read.js";
import { readSignalFile } from "./read-file.js";

const USAGE = "usage: ppl-hmm fit <data.csv | data.tsv | data.json | --data FILE> [options]   (ppl-hmm fit --help)";

/**
 * Values × states a fit may hold: its working arrays are a few T × K float64
 * arrays (about 48 bytes per value-state), so this is about 1.4 GiB.
 */
export const VALUE_STATES_LIMIT = 30_000_000;

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
  const out = new OutputFolder(options.out);
  try {
    await fitInto(out, path, options);
  } catch (err) {
    out.abandon();
    throw err;
  }
}

async function fitInto(out: OutputFolder, path: string, options: CliOptions): Promise<void> {
  const maxValues = Math.floor(VALUE_STATES_LIMIT / options.states);
  const sig = readSignalFile(path, {
    header: options.header, missing: options.missing, maxValues, limitWhy: `with --states ${options.states} (values × states ≤ ${VALUE_STATES_LIMIT})`,
    ...(options.columns ? { columns: options.columns } : {}), ...(options.group ? { group: options.group } : {}), ...(options.time ? { time: options.time } : {}),
    ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(options.decimal ? { decimal: options.decimal } : {}),
  });
  const say = options.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => process.stdout.write(`${s}\n`);
  say(describeRead(path, sig));
  const warnings = checkData(path, sig.seqs, sig.labels, options.states);
  for (const w of warnings) say(`warning: ${w}`);
  // states.csv's rows, params.json and the figures
  const rowBytes = 32 + Math.max(...sig.labels.map((l) => l.length)) + (sig.times ? Math.max(0, ...sig.times.map((t) => t[0]?.length ?? 0)) + 1 : 0);
  out.checkSpace(sig.seqs.reduce((a, y) => a + y.length, 0) * rowBytes + (options.figures ? 4 << 20 : 0) + (64 << 10));
  const [{ runFit }, { makeProgress }, { paramsTable }] = await Promise.all([import("./run.js"), import("../progress.js"), import("../params.js")]);
  let svi;
  if (options.method === "svi") {
    // the ppl model by SVI: tfjs and the backend load only for this method
    const [{ describeBackend, ready }, runner] = await Promise.all([import("ppl-core"), import("./svi-runner.js")]);
    await ready();
    say(describeBackend());
    svi = runner.sviRunner;
    say(`fitting K=${options.states} states: up to ${options.restarts} restart(s) × ${options.maxSteps} steps of Adam(lr=${options.lr}), form ${options.form}, on standardised data`);
  } else {
    say(`fitting K=${options.states} states: up to ${options.restarts} restart(s) × ${options.maxSteps} Baum–Welch iterations (MAP of ppl's model, float64), on standardised data`);
  }
  const tty = process.stderr.isTTY === true;
  let result;
  try {
    result = await runFit(sig, options, say, tty ? () => makeProgress(options.restarts, options.maxSteps) : undefined, warnings, out.temp, svi);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) throw environmentError("--out", out.final, err);
    throw err;
  }
  out.commit();
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  say(paramsTable(result.params));
  say(`log-likelihood ${result.logLikelihood.toFixed(3)} nats (data units, ${result.numValues} values); chosen restart ${result.chosenRestart + 1} of ${options.restarts}; fit ${result.seconds.fit.toFixed(1)} s`);
  say(`wrote ${result.files.join(", ")}`);
}
