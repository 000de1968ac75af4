// Runs the example's program as a user would: a child process, stdout and exit code.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** examples/hmm-discrete. */
export const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** `tsx src/<script> ...args` in the example's folder. */
export function runTsx(script: string, args: string[], timeoutMs = 600_000) {
  const tsx = join(exampleDir, "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, [join(exampleDir, "src", script), ...args], {
    cwd: exampleDir,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
