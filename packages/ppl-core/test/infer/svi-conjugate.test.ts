// Normal-Normal conjugate model: prior mu ~ N(0, 1), x_i ~ N(mu, 1).
// The exact posterior is N(sum(x) / (n + 1), 1 / (n + 1)).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  ClippedAdam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed,
} from "ppl-core";

const xs = [1.2, 0.8, 1.5, 2.0, 1.1, 0.4, 1.7, 0.9];
const n = xs.length;
const postMean = xs.reduce((a, b) => a + b, 0) / (n + 1);
const postSd = Math.sqrt(1 / (n + 1));

function* model(x: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("obs", dist.Normal(mu, 1), { obs: x });
  });
}

function* guide(_x: tf.Tensor) {
  const loc = yield* param("loc", tf.scalar(0));
  const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
  yield* sample("mu", dist.Normal(loc, scale));
}

describe("SVI on the Normal-Normal conjugate model", () => {
  it("reaches the closed-form posterior mean and sd within 2%", () => {
    clearParamStore();
    setRngSeed(123);
    const data = tf.tensor1d(xs);
    // lr decays 0.05 -> ~0.0005 so the stochastic iterates settle at the optimum
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.9985 }), new TraceELBO({ numParticles: 4 }));
    for (let i = 0; i < 3000; i++) svi.step(data);
    const v = getParamStore().values() as { loc: number; scale: number };
    expect(Math.abs(v.loc - postMean) / postMean).toBeLessThan(0.02);
    expect(Math.abs(v.scale - postSd) / postSd).toBeLessThan(0.02);
    data.dispose();
    clearParamStore();
  });
});
