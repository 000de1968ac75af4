// Fit a Kumaraswamy by SVI: concentration1 is a learned parameter (a point
// estimate), concentration0 a latent variable with a Gamma prior and a LogNormal guide.
import * as tf from "@tensorflow/tfjs";
import {
  ClippedAdam, type CompiledLossStats, JitTraceELBO, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate,
  sample, setRngSeed,
} from "ppl-core";
import { Kumaraswamy } from "./kumaraswamy.js";

export interface FitResult {
  truth: { a: number; b: number };
  /** The learned concentration1. */
  a: number;
  /** Posterior median of concentration0 under the guide. */
  b: number;
  losses: number[];
  /** With the compiled ELBO: how many loss calls recorded, replayed, or ran interpreted. */
  compileStats?: CompiledLossStats;
}

function* model(xs: tf.Tensor1D) {
  const a = yield* param("a", tf.scalar(1), { constraint: constraints.positive });
  const b = yield* sample("b", dist.Gamma(2, 0.5));
  yield* plate("data", xs.shape[0], function* () {
    yield* sample("obs", new Kumaraswamy(a, b), { obs: xs });
  });
}

function* guide(_xs: tf.Tensor1D) {
  const loc = yield* param("bLoc", tf.scalar(0));
  const scale = yield* param("bScale", tf.scalar(0.5), { constraint: constraints.positive });
  yield* sample("b", dist.LogNormal(loc, scale));
}

/**
 * Simulate `n` proportions from known parameters, then recover them. `compiled` (default true): the step
 * is recorded once and replayed, b's draw made again from the seeded stream each step (docs/compiled.md).
 */
export function fit(options: { n?: number; steps?: number; seed?: number; truth?: { a: number; b: number }; compiled?: boolean } = {}): FitResult {
  const { n = 2000, steps = 200, seed = 0, truth = { a: 2, b: 5 }, compiled = true } = options;
  setRngSeed(seed);
  clearParamStore();
  const xs = new Kumaraswamy(truth.a, truth.b).sample([n], 12345) as tf.Tensor1D;
  const elbo = compiled ? new JitTraceELBO() : new TraceELBO();
  const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05 }), elbo);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push(svi.step(xs));
  const values = getParamStore().values() as { a: number; bLoc: number };
  xs.dispose();
  const result = { truth, a: values.a, b: Math.exp(values.bLoc), losses };
  return elbo instanceof JitTraceELBO ? { ...result, compileStats: { ...elbo.compileStats } } : result;
}
