/** Command-line plumbing under pnpm and npx. */
import { isAbsolute, resolve } from "node:path";

/**
 * A path the user typed, relative to where they typed it: pnpm runs a package's scripts in the
 * package's folder and leaves the caller's folder in INIT_CWD.
 */
export function userPath(p: string): string {
  return isAbsolute(p) ? p : resolve(process.env.INIT_CWD || process.cwd(), p);
}

/** `argv` without the literal "--" that `pnpm <script> -- fit …` hands the program first. */
export function withoutPnpmSeparator(argv: readonly string[]): string[] {
  return argv[0] === "--" ? argv.slice(1) : [...argv];
}
