/**
 * ppl-hmm's errors and the process's exit codes. A DataError is the user's
 * data or options (exit 2), an EnvironmentError the user's machine (a
 * read-only or full --out, a file too large: exit 73, sysexits' EX_CANTCREAT),
 * anything else a fault of ours (exit 1). Every message is one line saying
 * what, where and what is valid.
 */

/** The user's data or options are wrong: exit code 2. */
export class DataError extends Error {
  override readonly name: string = "DataError";
}

/** A bad command line: exit code 2, like bad data. */
export class OptionError extends DataError {
  override readonly name: string = "OptionError";
}

/** The user's environment stops the run (an output folder that cannot be written, a file over the size limit): exit code 73. */
export class EnvironmentError extends Error {
  override readonly name: string = "EnvironmentError";
}

/** Exit codes: 0 done, 1 a fault of ours, 2 bad data or options, 73 the environment (sysexits EX_CANTCREAT). */
export const EXIT = { ok: 0, internal: 1, data: 2, environment: 73 } as const;

/** JSON text parsed; a DataError naming `path` when it is not JSON. */
export function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Prints `err` as one line on stderr and returns the process's exit code for it. */
export function report(err: unknown, program = "ppl-hmm"): number {
  if (err instanceof DataError) {
    process.stderr.write(`${program}: error: ${err.message.split("\n")[0]}\n`);
    return EXIT.data;
  }
  if (err instanceof EnvironmentError) {
    process.stderr.write(`${program}: error: ${err.message.split("\n")[0]}\n`);
    return EXIT.environment;
  }
  process.stderr.write(`${program}: internal error: ${(err as Error)?.message?.split("\n")[0] ?? String(err)} (please report it; PPL_DEBUG=1 prints the stack)\n`);
  if (process.env.PPL_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  return EXIT.internal;
}
