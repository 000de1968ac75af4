/**
 * ppl-hmm on one long sequence (issue 14): 50 000 points of a 3-state HMM
 * with levels far from zero, fitted at ppl-hmm's defaults (4 restarts, to
 * convergence, figures included) in a child node process, so that its peak
 * RSS is its own. `pplHmmLong()` runs the child; run as a script, this file
 * is the child: it writes the CSV, reads it as the CLI does, fits, and
 * prints one JSON line.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PplHmmLongResult {
  T: number;
  K: number;
  /** Wall time of read + fit + decode + files + figures. */
  seconds: number;
  fitSeconds: number;
  figuresSeconds: number;
  peakRssMiB: number;
  restartsRun: number;
  steps: number;
  converged: boolean;
  /** max |learned mean − true mean| / true sd */
  maxMeanErrorSds: number;
}

const TRUE = { probsInit: [0.5, 0.3, 0.2], probsTrans: [[0.98, 0.015, 0.005], [0.01, 0.98, 0.01], [0.005, 0.015, 0.98]], locs: [100, 104, 110], scales: [1, 1.5, 2] };

/** Runs the job in a child node; `flags` are its V8 flags. */
export function pplHmmLong(T = 50_000, flags: string[] = []): PplHmmLongResult {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...flags, "--conditions=ppl-compiled", script, String(T)], { encoding: "utf8", env: { ...process.env } });
  if (r.status !== 0) throw new Error(`ppl-hmm long job failed (${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as PplHmmLongResult;
}

async function job(T: number): Promise<void> {
  const { ready } = await import("ppl-core");
  const { generate } = await import("hmm-gaussian/truth");
  const { readSignalFile } = await import("hmm-gaussian/cli-read");
  const { runFit } = await import("hmm-gaussian/cli-run");
  const { defaultOptions } = await import("hmm-gaussian/cli-options");
  const dir = mkdtempSync(join(tmpdir(), "ppl-hmm-long-"));
  const file = join(dir, "long.csv");
  writeFileSync(file, ["signal", ...generate(1, T, 2026, TRUE).obs[0]!.map((v) => v.toFixed(4))].join("\n") + "\n");
  mkdirSync(join(dir, "out"));
  await ready();
  const t0 = performance.now();
  const sig = readSignalFile(file, { header: "auto", missing: "error" });
  const r = await runFit(sig, { ...defaultOptions(join(dir, "out")), states: 3 }, () => {});
  const seconds = (performance.now() - t0) / 1000;
  const chosen = r.restarts[r.chosenRestart]!;
  const out: PplHmmLongResult = {
    T, K: 3, seconds, fitSeconds: r.seconds.fit, figuresSeconds: r.seconds.figures,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    restartsRun: r.restarts.filter((s) => s.sameStartAs === undefined).length,
    steps: chosen.steps, converged: chosen.converged,
    maxMeanErrorSds: Math.max(...r.params.locs.map((m, k) => Math.abs(m - TRUE.locs[k]!) / TRUE.scales[k]!)),
  };
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(out));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await job(Number(process.argv[2] ?? 50_000));
