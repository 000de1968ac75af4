/** For an example's tests: run its programs as a user would, as a child process, and read stdout and the exit code. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

/** What a finished child process left. */
export interface ScriptResult {
  /** The exit code; null when the process was killed (the timeout). */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** An example's folder and a runner for its `src/` scripts. */
export interface ScriptRunner {
  /** The example's folder (where its package.json is). */
  exampleDir: string;
  /** `tsx src/<script> ...args` in the example's folder, without colour; killed after `timeoutMs`. */
  runTsx(script: string, args: string[], timeoutMs?: number): ScriptResult;
}

/**
 * The runner for the example whose folder is `dir` (a file URL or a path).
 *
 * @example
 * // examples/<name>/test/run.ts
 * export const { exampleDir, runTsx } = scriptRunner(new URL("..", import.meta.url));
 */
export function scriptRunner(dir: URL | string): ScriptRunner {
  // resolve: no trailing slash, as join(…, "..") gave
  const exampleDir = resolve(typeof dir === "string" ? dir : fileURLToPath(dir));
  return {
    exampleDir,
    runTsx(script, args, timeoutMs = 600_000) {
      // the example's own tsx, as `pnpm start` would use
      const tsx = join(exampleDir, "node_modules", ".bin", "tsx");
      const r = spawnSync(tsx, [join(exampleDir, "src", script), ...args], {
        cwd: exampleDir,
        encoding: "utf8",
        timeout: timeoutMs,
        env: { ...process.env, FORCE_COLOR: "0" },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
