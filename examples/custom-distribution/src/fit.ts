// Fit a Kumaraswamy by SVI: concentration1 is a learned parameter (a point
// estimate), concentration0 a latent variable with a Gamma prior and a LogNormal guide.
import * as tf from "@tensorflow/tfjs";
import {
  ClippedAdam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed,
} from "ppl-core";
import { Kumaraswamy } from "./kumaraswamy.js";

export interface FitResult {
  truth: { a: number; b: number };
  /** The learned concentration1. */
  a: number;
  /** Posterior median of concentration0 under the guide. */
  b: number;
  losses: number[];
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

/** Simulate `n` proportions from known parameters, then recover them. */
export function fit(options: { n?: number; steps?: number; seed?: number; truth?: { a: number; b: number } } = {}): FitResult {
  const { n = 2000, steps = 200, seed = 0, truth = { a: 2, b: 5 } } = options;
  setRngSeed(seed);
  clearParamStore();
  const xs = new Kumaraswamy(truth.a, truth.b).sample([n], 12345) as tf.Tensor1D;
  // the guide draws b every step: the interpreted TraceELBO (a compiled loss would reuse one draw; docs/compiled.md)
  const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05 }), new TraceELBO());
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push(svi.step(xs));
  const values = getParamStore().values() as { a: number; bLoc: number };
  xs.dispose();
  return { truth, a: values.a, b: Math.exp(values.bLoc), losses };
}
