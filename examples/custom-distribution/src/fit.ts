// Fit a zero-inflated Poisson by SVI: the gate is a learned parameter (a point
// estimate), the rate a latent variable with a Gamma prior and a LogNormal guide.
import * as tf from "@tensorflow/tfjs";
import {
  ClippedAdam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed,
} from "ppl-core";
import { ZeroInflatedPoisson } from "./zero-inflated-poisson.js";

export interface FitResult {
  truth: { gate: number; rate: number };
  gate: number;
  /** Posterior median of the rate under the guide. */
  rate: number;
  losses: number[];
}

function* model(counts: tf.Tensor1D) {
  const gate = yield* param("gate", tf.scalar(0.5), { constraint: constraints.unitInterval });
  const rate = yield* sample("rate", dist.Gamma(2, 0.5));
  yield* plate("data", counts.shape[0], function* () {
    yield* sample("obs", new ZeroInflatedPoisson(gate, rate), { obs: counts });
  });
}

function* guide(_counts: tf.Tensor1D) {
  const loc = yield* param("rateLoc", tf.scalar(0));
  const scale = yield* param("rateScale", tf.scalar(0.5), { constraint: constraints.positive });
  yield* sample("rate", dist.LogNormal(loc, scale));
}

/** Simulate `n` counts from known parameters, then recover them. */
export function fit(options: { n?: number; steps?: number; seed?: number; truth?: { gate: number; rate: number } } = {}): FitResult {
  const { n = 2000, steps = 300, seed = 0, truth = { gate: 0.3, rate: 3.5 } } = options;
  setRngSeed(seed);
  clearParamStore();
  const counts = new ZeroInflatedPoisson(truth.gate, truth.rate).sample([n], 12345) as tf.Tensor1D;
  const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.1, lrd: 0.99 }), new TraceELBO());
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push(svi.step(counts));
  const values = getParamStore().values() as { gate: number; rateLoc: number };
  counts.dispose();
  return { truth, gate: values.gate, rate: Math.exp(values.rateLoc), losses };
}
