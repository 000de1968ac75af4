/**
 * The hierarchical program of issue 29 (bench/flights-job.ts: 10 000 real flights, an effect per
 * origin airport, minibatches of 500, AutoNormal, StepLR) in child processes, so each peak RSS is
 * its own: one particle, and 8 particles vectorised and sequential. CPU milliseconds per step are
 * reported beside the wall time: on a shared machine the wall clock also counts the neighbours.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface FlightsJob {
  seconds: number;
  medianStepMs: number;
  cpuMsPerStep: number;
  peakRssMiB: number;
  tensors: number;
}

/** A row as run.ts records it. */
export interface FlightsRow {
  name: string;
  config: Record<string, number | string | boolean>;
  unit: "ms" | "MiB";
  median: number;
  min: number;
  max: number;
  n: number;
  targetValue?: number;
  pyro?: string;
  pyroValue?: number;
  note?: string;
}

/** Pyro 1.8's peak RSS on this program (issue 29). */
const PYRO_PEAK_MIB = 260;

function job(steps: number, particles: number, vectorize: boolean): FlightsJob {
  const script = join(dirname(fileURLToPath(import.meta.url)), "flights-job.js");
  const r = spawnSync(process.execPath, ["--conditions=ppl-compiled", script, String(steps), String(particles), vectorize ? "1" : "0"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`flights job failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as FlightsJob;
}

const one = (v: number) => ({ median: v, min: v, max: v, n: 1 });

/** The rows; --quick runs fewer steps. */
export function flightsRows(quick: boolean): FlightsRow[] {
  const steps = quick ? 60 : 300;
  const rows: FlightsRow[] = [];
  const single = job(steps, 1, false);
  const config = { flights: 10000, batch: 500, steps };
  rows.push({
    name: "flights/peak-rss", config, unit: "MiB", ...one(single.peakRssMiB),
    targetValue: PYRO_PEAK_MIB, pyro: `${PYRO_PEAK_MIB} MiB (issue 29)`, pyroValue: PYRO_PEAK_MIB,
    note: `${single.tensors} tensors alive at the end`,
  });
  rows.push({
    name: "flights/step", config: { ...config, particles: 1 }, unit: "ms", ...one(single.cpuMsPerStep),
    note: `CPU ms per step; wall median ${single.medianStepMs.toFixed(1)} ms; issue 29: the same speed as Pyro`,
  });
  for (const vectorize of [true, false]) {
    const r = job(steps, 8, vectorize);
    rows.push({
      name: `flights/step-8-particles-${vectorize ? "vectorized" : "sequential"}`, config: { ...config, particles: 8 }, unit: "ms", ...one(r.cpuMsPerStep),
      note: `CPU ms per step (${(r.cpuMsPerStep / single.cpuMsPerStep).toFixed(2)}× one particle); wall median ${r.medianStepMs.toFixed(1)} ms; peak ${r.peakRssMiB.toFixed(0)} MiB` +
        (vectorize ? "; issue 29: 0.6–0.8× Pyro's speed before" : ""),
    });
  }
  return rows;
}
