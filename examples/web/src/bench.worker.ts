/**
 * The backend benchmark's worker (scripts/bench-backends.ts): the backend
 * comes from the worker's URL (`?backend=webgl`), the job says which model
 * and size. Two models: Bayesian linear regression (N×D design matrix, a
 * Normal guide per weight: matrix products, where a GPU can pay off) and
 * the page's HMM fit (ppl-hmm fit's code, many small ops).
 */
import "@tensorflow/tfjs-backend-webgl";
import * as tf from "@tensorflow/tfjs-core";
import { Adam, type BackendName, SVI, TraceELBO, clearParamStore, constraints, dist, param, plate, sample, serveWorker, setRngSeed } from "ppl-core";
import { defaultOptions, fitSignal, parseSignal } from "ppl-hmm/fit";

export type BenchJob = { readonly kind: "regression"; readonly n: number; readonly d: number; readonly steps: number } | { readonly kind: "hmm"; readonly text: string };

export interface BenchResult {
  readonly backend: string;
  /** Median milliseconds per SVI step after 3 warm-up steps (regression), or the whole fit's seconds and steps (hmm). */
  readonly msPerStep: number;
  readonly steps: number;
}

function regression(n: number, d: number, steps: number): BenchResult {
  clearParamStore();
  setRngSeed(0);
  const x = tf.randomNormal([n, d], 0, 1, "float32", 1);
  const y = tf.tidy(() => x.matMul(tf.randomNormal([d, 1], 0, 1, "float32", 2)).reshape([n]).add(tf.randomNormal([n], 0, 0.5, "float32", 3)));
  function* model() {
    const w = yield* sample("w", dist.Normal(tf.zeros([d]), 1).toEvent(1));
    const mean = x.matMul(w.reshape([d, 1])).reshape([n]);
    yield* plate("data", n, function* () {
      yield* sample("y", dist.Normal(mean, 0.5), { obs: y });
    });
  }
  function* guide() {
    const loc = yield* param("loc", tf.zeros([d]));
    const scale = yield* param("scale", tf.fill([d], 0.1), { constraint: constraints.positive });
    yield* sample("w", dist.Normal(loc, scale).toEvent(1));
  }
  // the guide draws w every step: the interpreted TraceELBO (a compiled loss would reuse one draw; docs/compiled.md)
  const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceELBO());
  const times: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const t0 = performance.now();
    svi.step(); // returns the loss as a number: the step has finished on the device
    if (s >= 3) times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  clearParamStore();
  times.sort((a, b) => a - b);
  return { backend: tf.getBackend(), msPerStep: times[Math.floor(times.length / 2)]!, steps };
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
