/**
 * ppl-hmm: fit a Gaussian HMM to your own signal.
 *
 *   ppl-hmm fit data.csv --states 3 [--steps N --lr X --restarts N --seed N --out DIR --no-figures --json]
 *   ppl-hmm fit --data file.json ...
 *
 * CSV: one numeric column per sequence (optional header row), or a long form
 * with the header `sequence,value`. JSON: { "obs": number[][] }.
 * Writes DIR/params.json, DIR/states.csv and the figures. Bad input: one
 * error line, exit code 2.
 */
import { PPLError, describeBackend, ready } from "ppl-core";
import { DataError, readSignal } from "./data-io.js";
import { fit, writeOutputs } from "./fit.js";
import { parseOptions, userPath } from "./options.js";
import { makeProgress } from "./progress.js";
import { paramsTable } from "./report.js";

const USAGE = "usage: ppl-hmm fit <data.csv | --data file.json> [--states K] [--steps N] [--lr X] [--restarts N] [--seed N] [--out DIR] [--no-figures] [--json]";

async function main(argv: string[]): Promise<void> {
  // `pnpm ppl-hmm -- fit ...` hands the program a literal "--" first
  const [command, ...rest] = argv[0] === "--" ? argv.slice(1) : argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return;
  }
  if (command !== "fit") throw new DataError(`unknown command '${command}'; ${USAGE}`);
  const { options, positionals } = parseOptions(rest, { out: "ppl-hmm-out" });
  const path = options.data ?? (positionals[0] === undefined ? undefined : userPath(positionals[0]));
  if (path === undefined) throw new DataError(`no data file given; ${USAGE}`);
  if (positionals.length > (options.data ? 0 : 1)) throw new DataError(`unexpected arguments: ${positionals.join(" ")}`);
  const signal = readSignal(path);
  await ready();
  const say = options.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  say(describeBackend());
  say(`${path}: ${signal.obs.length} sequence(s) × ${signal.obs[0]!.length} steps; K=${options.states}`);
  const input = { obs: signal.obs, decodeTargets: signal.obs.map((y, s) => ({ y, label: signal.labels[s]! })) };
  const result = await fit(input, options, makeProgress(options.restarts, options.steps));
  const files = writeOutputs(result, input, options.out);
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  say(paramsTable(result.params));
  say(`best loss ${result.bestLoss.toFixed(3)} (restart ${result.bestRestart + 1} of ${options.restarts})`);
  say(`wrote ${[...files, ...result.figures].join(", ")}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DataError || err instanceof PPLError) {
    process.stderr.write(`ppl-hmm: error: ${err.message.split("\n")[0]}\n`);
    process.exit(2);
  }
  process.stderr.write(`ppl-hmm: internal error: ${(err as Error).message ?? String(err)}\n`);
  if (process.env.PPL_DEBUG) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
  process.exit(1);
});
