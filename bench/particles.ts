/**
 * Issue 29's vectorised particles on its small programs (bench/particles-job.ts: the coin with a
 * hand-written Beta guide, a regression on vega-datasets' cars with AutoNormal), each in a child
 * process: one particle, and 8 particles vectorised; the regression's 8 vectorised particles also
 * compiled (JitTraceELBO: AutoNormal's draws replayed, docs/compiled.md; the coin's Beta guide draws in
 * JS and would run interpreted). CPU milliseconds per step are the row's
 * figure (the wall clock on a shared machine counts the neighbours); the note gives the wall
 * median and fastest step. Issue 29 gives Pyro's speed only as a ratio (ppl's vectorised
 * particles at 0.6–0.8× Pyro's), not as a per-step figure, so no Pyro value is recorded.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface ParticlesJob {
  medianStepMs: number;
  minStepMs: number;
  cpuMsPerStep: number;
  finalLoss: number;
  tensors: number;
}

/** A row as run.ts records it. */
export interface ParticlesRow {
  name: string;
  config: Record<string, number | string | boolean>;
  unit: "ms";
  median: number;
  min: number;
  max: number;
  n: number;
  note: string;
}

function job(program: string, steps: number, particles: number, vectorize: boolean, compiled = false): ParticlesJob {
  const script = join(dirname(fileURLToPath(import.meta.url)), "particles-job.js");
  const args = [script, program, String(steps), String(particles), vectorize ? "1" : "0", compiled ? "1" : "0"];
  const r = spawnSync(process.execPath, ["--conditions=ppl-compiled", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`particles job ${program} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ParticlesJob;
}

/** The rows; --quick runs fewer steps. */
export function particlesRows(quick: boolean): ParticlesRow[] {
  const steps = quick ? 100 : 500;
  const rows: ParticlesRow[] = [];
  for (const program of ["coin", "regression"]) {
    const single = job(program, steps, 1, false);
    const config = { steps };
    rows.push({
      name: `particles/${program}-1`, config: { ...config, particles: 1 }, unit: "ms", median: single.cpuMsPerStep, min: single.cpuMsPerStep, max: single.cpuMsPerStep, n: 1,
      note: `CPU ms per step; wall median ${single.medianStepMs.toFixed(2)} ms, fastest ${single.minStepMs.toFixed(2)} ms`,
    });
    const r = job(program, steps, 8, true);
    rows.push({
      name: `particles/${program}-8-vectorized`, config: { ...config, particles: 8 }, unit: "ms", median: r.cpuMsPerStep, min: r.cpuMsPerStep, max: r.cpuMsPerStep, n: 1,
      note: `CPU ms per step (${(r.cpuMsPerStep / single.cpuMsPerStep).toFixed(2)}× one particle); wall median ${r.medianStepMs.toFixed(2)} ms, fastest ${r.minStepMs.toFixed(2)} ms (${(r.minStepMs / single.minStepMs).toFixed(2)}× one particle's); ` +
        "issue 29: vectorised particles at 0.6–0.8× Pyro's speed before (a ratio, no per-step figure)",
    });
    if (program !== "regression") continue;
    const c = job(program, steps, 8, true, true);
    rows.push({
      name: `particles/${program}-8-vectorized-compiled`, config: { ...config, particles: 8, compiled: true }, unit: "ms", median: c.cpuMsPerStep, min: c.cpuMsPerStep, max: c.cpuMsPerStep, n: 1,
      note: `CPU ms per step with JitTraceELBO (${(c.cpuMsPerStep / r.cpuMsPerStep).toFixed(2)}× interpreted); wall median ${c.medianStepMs.toFixed(2)} ms, fastest ${c.minStepMs.toFixed(2)} ms`,
    });
  }
  return rows;
}
