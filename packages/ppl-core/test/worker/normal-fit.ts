// The fit that the worker test runs in a worker and on the main thread, and
// docs/browser.md shows: mu ~ N(0, 10), x_i ~ N(mu, 1), a Normal guide with a
// learnt loc and scale, SVI with TraceELBO. Plain data in, plain data out.
import * as tf from "@tensorflow/tfjs";
import { Adam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed } from "ppl-core";

export interface FitInput {
  readonly xs: number[];
  readonly steps: number;
  readonly lr: number;
  readonly seed: number;
}

export interface FitResult {
  readonly loc: number;
  readonly scale: number;
  readonly losses: number[];
}

function* model(x: tf.Tensor1D) {
  const mu = yield* sample("mu", dist.Normal(0, 10));
  yield* plate("data", x.shape[0], function* () {
    yield* sample("x", dist.Normal(mu, 1), { obs: x });
  });
}

function* guide() {
  const loc = yield* param("loc", tf.scalar(0));
  const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
  yield* sample("mu", dist.Normal(loc, scale));
}

/** Fits the model to `input.xs`; `onStep` sees every step's loss. */
export function fitNormal(input: FitInput, onStep?: (report: { step: number; loss: number }) => void): FitResult {
  clearParamStore();
  setRngSeed(input.seed);
  const x = tf.tensor1d(input.xs);
  const svi = new SVI(model, guide, new Adam({ lr: input.lr }), new TraceELBO());
  const losses: number[] = [];
  for (let step = 0; step < input.steps; step++) {
    const loss = svi.step(x);
    losses.push(loss);
    onStep?.({ step, loss });
  }
  x.dispose();
  const { loc, scale } = getParamStore().values() as { loc: number; scale: number };
  clearParamStore();
  return { loc, scale, losses };
}
