/**
 * The backend benchmark's regression job (bench.worker.ts): Bayesian linear
 * regression, an N×D design matrix and a Normal guide per weight (matrix
 * products, where a GPU can pay off), fitted by SVI on the compiled ELBO: the
 * step is recorded once and replayed, the guide's draw of w made again from the
 * seeded stream each step (docs/compiled.md).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Adam, type CompiledLossStats, JitTraceELBO, SVI, TraceELBO, clearParamStore, constraints, dist, param, plate, sample, setRngSeed } from "ppl-core";

export interface RegressionRun {
  /** Median milliseconds per SVI step after 3 warm-up steps. */
  readonly msPerStep: number;
  readonly steps: number;
  /** Every step's loss, the warm-up's too. */
  readonly losses: number[];
  /** With the compiled ELBO: how many loss calls recorded, replayed, or ran interpreted. */
  readonly compileStats?: CompiledLossStats;
}

/** `steps` timed SVI steps (after 3 warm-up steps) on n points of d features; `compiled: false` runs TraceELBO. */
export function regressionRun(n: number, d: number, steps: number, compiled = true): RegressionRun {
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
  const elbo = compiled ? new JitTraceELBO() : new TraceELBO();
  const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), elbo);
  const times: number[] = [];
  const losses: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const t0 = performance.now();
    losses.push(svi.step()); // the loss as a number: the step has finished on the device
    if (s >= 3) times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  clearParamStore();
  times.sort((a, b) => a - b);
  const run = { msPerStep: times[Math.floor(times.length / 2)]!, steps, losses };
  if (!(elbo instanceof JitTraceELBO)) return run;
  const compileStats = { ...elbo.compileStats };
  elbo.dispose();
  return { ...run, compileStats };
}
