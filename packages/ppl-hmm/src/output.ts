/**
 * Safe results: a run writes into a temporary folder beside `--out` and
 * renames it into place only when every file is written, so an interrupted
 * run never leaves a folder mixing two runs; a lock file beside `--out`
 * refuses a second run into the same folder while one is running. A run
 * stopped by a signal (Ctrl-C, kill) leaves --out as it was; its temporary
 * folder and lock are cleared by the next run into that folder (no signal
 * handler: a fit computes without yielding, and Ctrl-C must stop it at once). A folder
 * that cannot be written, or a filesystem without room for the results, is
 * found before the fit and reported as the environment (exit 73) with its path.
 */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, statfsSync, unlinkSync, writeFileSync, writeSync, mkdirSync, mkdtempSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EnvironmentError, OptionError } from "./errors.js";

/** Error codes that mean "this place cannot be written" (permissions, a read-only or full filesystem). */
const UNWRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT"]);

function describe(code: string | undefined): string {
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "no permission to write there";
    case "EROFS":
      return "a read-only filesystem";
    case "ENOSPC":
    case "EDQUOT":
      return "no space left on the device";
    default:
      return code ?? "unknown error";
  }
}

/** An fs error at `path` as the user's environment (exit 73) or a path problem (exit 2); anything else is rethrown. */
export function environmentError(what: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && UNWRITABLE.has(code)) return new EnvironmentError(`${what} ${path}: cannot write (${code}: ${describe(code)})`);
  if (code === "ENOTDIR" || code === "ENOENT" || code === "EEXIST") return new OptionError(`${what} ${path}: cannot create the folder (${code}: a file is in the way of its path)`);
  return err as Error;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isResultFolder(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0) return true;
  try {
    return (JSON.parse(readFileSync(join(dir, "params.json"), "utf8")) as { format?: unknown }).format === "ppl-hmm/params@1";
  } catch {
    return false;
  }
}

/** An output folder being written: write into `temp`, then `commit()` (or `abandon()`). */
export class OutputFolder {
  /** Where the results end up. */
  readonly final: string;
  /** Where they are written until commit. */
  readonly temp!: string;
  private readonly lock: string;
  private done = false;

  /** Checks `dir`, takes its lock and makes the temporary folder; throws EnvironmentError / OptionError. */
  constructor(dir: string) {
    this.final = resolve(dir);
    const parent = dirname(this.final);
    const name = basename(this.final);
    if (existsSync(this.final)) {
      if (!statSync(this.final).isDirectory()) throw new OptionError(`--out ${this.final}: is a file, expected a folder (or a path to create one)`);
      if (!isResultFolder(this.final)) {
        throw new OptionError(`--out ${this.final}: the folder holds files that are not a ppl-hmm result (no params.json of ppl-hmm); it is replaced as a whole, so choose an empty or new folder`);
      }
    }
    try {
      mkdirSync(parent, { recursive: true });
    } catch (err) {
      throw environmentError("--out", this.final, err);
    }
    this.lock = join(parent, `.${name}.ppl-hmm.lock`);
    this.takeLock();
    try {
      // leftovers of a run that was killed (its lock is gone, so none is running)
      for (const e of readdirSync(parent)) {
        // a previous result moved aside by a run killed while renaming comes back; other leftovers go
        if (e.startsWith(`.${name}.old-`) && !existsSync(this.final)) renameSync(join(parent, e), this.final);
        else if (e.startsWith(`.${name}.tmp-`) || e.startsWith(`.${name}.old-`)) rmSync(join(parent, e), { recursive: true, force: true });
      }
      this.temp = mkdtempSync(join(parent, `.${name}.tmp-`));
      // a write, to find a read-only or full filesystem now rather than after the fit
      writeFileSync(join(this.temp, ".probe"), Buffer.alloc(64 * 1024));
      unlinkSync(join(this.temp, ".probe"));
    } catch (err) {
      if (this.temp !== undefined) rmSync(this.temp, { recursive: true, force: true });
      this.releaseLock();
      throw environmentError("--out", this.final, err);
    }
  }

  private takeLock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(this.lock, "wx");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw environmentError("--out", this.final, err);
        const pid = Number(readFileSync(this.lock, "utf8").trim());
        if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
          throw new EnvironmentError(`--out ${this.final}: another ppl-hmm run (process ${pid}) is writing there (lock ${this.lock}); wait for it to finish or choose another --out`);
        }
        // a lock left by a run that was killed
        rmSync(this.lock, { force: true });
        continue;
      }
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    }
    throw new EnvironmentError(`--out ${this.final}: could not take the lock ${this.lock}`);
  }

  private releaseLock(): void {
    rmSync(this.lock, { force: true });
  }

  /** Room for `bytes` of results on the filesystem, or an EnvironmentError saying how much there is. */
  checkSpace(bytes: number): void {
    let free: number;
    try {
      const s = statfsSync(this.temp);
      free = s.bavail * s.bsize;
    } catch {
      return;
    }
    if (free < bytes) {
      this.abandon();
      const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
      throw new EnvironmentError(`--out ${this.final}: ${mib(free)} free on its filesystem, the results need about ${mib(bytes)}`);
    }
  }

  /** The finished results replace `final` (a previous result there is removed). */
  commit(): void {
    if (this.done) return;
    const old = `${dirname(this.final)}/.${basename(this.final)}.old-${process.pid}`;
    try {
      if (existsSync(this.final)) renameSync(this.final, old);
      renameSync(this.temp, this.final);
      rmSync(old, { recursive: true, force: true });
    } catch (err) {
      this.abandon();
      throw environmentError("--out", this.final, err);
    }
    this.finish();
  }

  /** Removes the temporary folder; `final` stays as it was. */
  abandon(): void {
    if (this.done) return;
    rmSync(this.temp, { recursive: true, force: true });
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.releaseLock();
  }
}
