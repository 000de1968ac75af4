/**
 * ppl-hmm's command line: `ppl-hmm <command> [options]` (`ppl-hmm --help`).
 * Imports nothing heavy itself: a subcommand's module (and with it ppl and
 * tfjs) loads only when that subcommand runs.
 *
 * Exit codes: 0 done, 2 bad data or options, 73 the environment (an --out
 * that cannot be written, a file over the size limit), 1 an internal fault.
 */
import { COMMANDS } from "./commands.js";
import { OptionError, report } from "./errors.js";
import { withoutPnpmSeparator } from "./paths.js";

/** `ppl-hmm --help` without a command: the commands and where each one's options are. */
export function overviewHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`);
  return [
    "usage: ppl-hmm <command> [options]      (ppl-hmm <command> --help: that command's options)",
    "",
    "commands:",
    ...rows,
    "",
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    "",
    "exit codes: 0 done; 2 bad data or options; 73 the environment (an output folder that",
    "cannot be written, a file over the size limit); 1 an internal fault (PPL_DEBUG=1 prints its stack).",
  ].join("\n");
}

/** Runs `ppl-hmm <argv>`; resolves when done, rejects with a DataError for bad data or options. */
export async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = withoutPnpmSeparator(argv);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${overviewHelp()}\n`);
    return;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) {
    throw new OptionError(`unknown command '${command}'; the commands are ${Object.keys(COMMANDS).join(", ")} (ppl-hmm --help)`);
  }
  await (await entry.load()).run(rest);
}

/** The process: runs main and exits with its code. */
export async function runProcess(argv: readonly string[]): Promise<never> {
  let code = 0;
  try {
    await main(argv);
  } catch (err) {
    code = report(err);
  }
  process.exit(code);
}
