// TraceELBO with a guide that cannot be reparameterised (a Bernoulli draw): the
// surrogate's value is the ELBO and its gradient, averaged over particles, is the
// exact ELBO gradient computed by summing over both values of z.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { TraceELBO, clearParamStore, constraints, dist, getParamStore, param, sample, setRngSeed } from "ppl-core";

const prior = 0.3;
function* model() {
  const z = yield* sample("z", dist.Bernoulli(tf.scalar(prior)));
  yield* sample("x", dist.Normal(z.mul(2), 1), { obs: tf.scalar(1.5) });
}
function* guide() {
  const q = yield* param("q", tf.scalar(0.6), { constraint: constraints.unitInterval });
  yield* sample("z", dist.Bernoulli(q));
}

function exactElbo(q: number): number {
  const logN = (x: number, m: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
  let total = 0;
  for (const [z, qz, pz] of [[1, q, prior], [0, 1 - q, 1 - prior]] as const) total += qz * (Math.log(pz) + logN(1.5, 2 * z) - Math.log(qz));
  return total;
}

describe("TraceELBO score-function term", () => {
  it("gives the exact ELBO gradient in expectation (4 sigma) for a Bernoulli guide", () => {
    clearParamStore();
    setRngSeed(9);
    tf.tidy(() => void getParamStore().get("q", tf.scalar(0.6), constraints.unitInterval));
    const v = getParamStore().unconstrained("q");
    const n = 2000;
    const elbo = new TraceELBO();
    const grads: number[] = [];
    for (let i = 0; i < n; i++) {
      const { value, grads: g } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), [v]);
      grads.push(-g[v.name]!.dataSync()[0]!);
      tf.dispose([value, g[v.name]!]);
    }
    // exact d ELBO / d logit(q) = q (1 - q) d ELBO / dq, by central differences on the closed form
    const q = 0.6;
    const h = 1e-6;
    const exact = q * (1 - q) * (exactElbo(q + h) - exactElbo(q - h)) / (2 * h);
    const mean = grads.reduce((a, b) => a + b) / n;
    const sd = Math.sqrt(grads.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean - exact)).toBeLessThan(4 * sd / Math.sqrt(n));
    clearParamStore();
  });
});
