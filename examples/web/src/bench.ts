/** The backend benchmark's page script: one fresh worker per backend and job (ready() chooses once per thread). */
import { runInWorker } from "ppl-core/worker";
import type { BenchJob, BenchResult, benchTask } from "./bench.worker.js";

async function run(backend: string, job: BenchJob): Promise<BenchResult | { backend: string; error: string }> {
  const worker = new Worker(new URL(`./bench.worker.js?backend=${backend}`, import.meta.url), { type: "module" });
  try {
    return await runInWorker<typeof benchTask>(worker, job).result;
  } catch (err) {
    return { backend, error: (err as Error).message };
  } finally {
    worker.terminate();
  }
}

(globalThis as { runBench?: typeof run }).runBench = run;
