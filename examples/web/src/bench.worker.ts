/**
 * The backend benchmark's worker (scripts/bench-backends.ts): the backend
 * comes from the worker's URL (`?backend=webgl`), the job says which model
 * and size. Two models: Bayesian linear regression (bench-regression.ts:
 * matrix products, where a GPU can pay off) and the page's HMM fit
 * (ppl-hmm fit's code, many small ops).
 */
import "@tensorflow/tfjs-backend-webgl";
import * as tf from "@tensorflow/tfjs-core";
import { type BackendName, serveWorker } from "ppl-core";
import { defaultOptions, fitSignal, parseSignal } from "ppl-hmm/fit";
import { regressionRun } from "./bench-regression.js";

export type BenchJob = { readonly kind: "regression"; readonly n: number; readonly d: number; readonly steps: number } | { readonly kind: "hmm"; readonly text: string };

export interface BenchResult {
  readonly backend: string;
  /** Median milliseconds per SVI step after 3 warm-up steps (regression), or the whole fit's seconds and steps (hmm). */
  readonly msPerStep: number;
  readonly steps: number;
}

function regression(n: number, d: number, steps: number): BenchResult {
  const { msPerStep } = regressionRun(n, d, steps);
  return { backend: tf.getBackend(), msPerStep, steps };
}

function hmm(text: string): BenchResult {
  const defaults = defaultOptions("(bench)");
  const sig = parseSignal("series.csv", text, { header: defaults.header, missing: defaults.missing });
  const t0 = performance.now();
  const fit = fitSignal(sig, { ...defaults, states: 3, restarts: 1, figures: false, json: true }, () => {});
  const steps = fit.result.restarts[0]!.steps;
  return { backend: tf.getBackend(), msPerStep: (performance.now() - t0) / steps, steps };
}

const backend = new URLSearchParams((globalThis as unknown as { location: { search: string } }).location.search).get("backend") as BackendName;

export const benchTask = serveWorker((job: BenchJob): BenchResult => (job.kind === "regression" ? regression(job.n, job.d, job.steps) : hmm(job.text)), {
  ready: { backend, wasmPaths: "wasm/" },
});
