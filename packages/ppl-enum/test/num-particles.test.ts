// TraceEnumELBO with numParticles, in a loop and vectorised in an outer plate,
// against the closed-form expectation: mu ~ Normal(0, 1), z_i ~ Categorical(w)
// enumerated, x_i ~ Normal(mu + c[z_i], 1) in a plate; guide mu ~ Normal(m, s).
// −ELBO = −E_q Σ_i log Σ_k w_k N(x_i | mu + c_k, 1) + KL(q ‖ N(0, 1)), the
// expectation by Simpson quadrature over mu in float64.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { TraceEnumELBO } from "ppl-enum";
import { dist, plate, sample, setRngSeed, vindex } from "ppl-core";

const X = [0.4, 2.6, -0.3];
const W = [0.3, 0.7];
const C = [-1, 1.5];
const [M, S] = [0.5, 0.3];

function* model() {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  yield* plate("data", X.length, function* () {
    const z = yield* sample("z", dist.Categorical({ probs: tf.tensor(W) }), { infer: { enumerate: "parallel" } });
    yield* sample("x", dist.Normal(mu.add(vindex(tf.tensor(C), z)), 1), { obs: tf.tensor(X) });
  });
}
function* guide() {
  yield* sample("mu", dist.Normal(M, S));
}

function exactLoss(): number {
  const logN = (x: number, m: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
  const f = (mu: number) => X.reduce((s, x) => s + Math.log(W.reduce((a, w, k) => a + w * Math.exp(logN(x, mu + C[k]!)), 0)), 0);
  const n = 4000;
  const [lo, hi] = [M - 10 * S, M + 10 * S];
  const h = (hi - lo) / n;
  let e = 0;
  for (let i = 0; i <= n; i++) {
    const mu = lo + i * h;
    const q = Math.exp(logN((mu - M) / S, 0)) / S;
    e += q * f(mu) * (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2);
  }
  e *= h / 3;
  const kl = Math.log(1 / S) + (S ** 2 + M ** 2) / 2 - 0.5;
  return -e + kl;
}

describe("TraceEnumELBO numParticles", () => {
  const exact = exactLoss();
  const single = Array.from({ length: 60 }, (_, k) => {
    setRngSeed(10 + k);
    return new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, guide);
  });
  const mean = single.reduce((s, x) => s + x, 0) / single.length;
  const sd = Math.sqrt(single.reduce((s, x) => s + (x - mean) ** 2, 0) / (single.length - 1));

  it("one particle per call averages to the exact −ELBO", () => {
    expect(Math.abs(mean - exact)).toBeLessThan(4 * sd / Math.sqrt(single.length));
  });

  it("vectorised: 2000 particles in one call, with the plate nesting found by a first run", () => {
    const elbo = new TraceEnumELBO({ numParticles: 2000, vectorizeParticles: true });
    setRngSeed(1);
    const v = elbo.loss(model, guide);
    expect(elbo.maxPlateNesting).toBe(1);
    expect(Math.abs(v - exact)).toBeLessThan(4 * sd / Math.sqrt(2000));
    // and its gradient exists for every guide param it touches
    const m = tf.variable(tf.scalar(M));
    function* g() {
      yield* sample("mu", dist.Normal(m, S));
    }
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, g), [m]);
    expect(Number.isFinite(grads[m.name]!.dataSync()[0]!)).toBe(true);
    tf.dispose([value, m, ...Object.values(grads)]);
  });

  it("in a loop: 50 particles", () => {
    setRngSeed(2);
    const v = new TraceEnumELBO({ numParticles: 50, maxPlateNesting: 1 }).loss(model, guide);
    expect(Math.abs(v - exact)).toBeLessThan(4 * sd / Math.sqrt(50));
  });
});
