// TraceMeanFieldELBO and vectorised particles against the closed-form ELBO of a
// conjugate model: z ~ Normal(0, 1), x_i ~ Normal(z, σ) for i in a plate, guide
// z ~ Normal(m, s). E_q[log p(x | z)] and KL(q ‖ p) are both closed forms, so the
// expected loss is known exactly; the estimators' spread is checked against the
// variance each one should (or should not) have.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  PPLModelError, TraceELBO, TraceMeanFieldELBO, dist, plate, sample, setRngSeed, trace,
} from "ppl-core";
import { lgamma64 } from "../distributions/helpers.js";

const X = [0.8, 1.3, 0.2];
const SIGMA = 0.7;
const [M, S] = [0.6, 0.4];

function* model() {
  const z = yield* sample("z", dist.Normal(0, 1));
  yield* plate("data", X.length, function* () {
    yield* sample("x", dist.Normal(z, SIGMA), { obs: tf.tensor(X) });
  });
}
function* guide() {
  yield* sample("z", dist.Normal(M, S));
}

// −ELBO = −Σ_i E_q log N(x_i | z, σ) + KL(N(m, s) ‖ N(0, 1))
const expectedLogLik = X.reduce((acc, x) => acc - 0.5 * Math.log(2 * Math.PI * SIGMA ** 2) - ((x - M) ** 2 + S ** 2) / (2 * SIGMA ** 2), 0);
const KL = Math.log(1 / S) + (S ** 2 + M ** 2) / 2 - 0.5;
const NEG_ELBO = -expectedLogLik + KL;

function losses(elbo: { loss: (m: typeof model, g: typeof guide) => number }, n: number): number[] {
  return Array.from({ length: n }, (_, k) => {
    setRngSeed(1000 + k);
    return elbo.loss(model, guide);
  });
}
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1));

describe("TraceMeanFieldELBO", () => {
  it("its mean is the closed-form −ELBO", () => {
    const mf = losses(new TraceMeanFieldELBO(), 400);
    expect(Math.abs(mean(mf) - NEG_ELBO)).toBeLessThan(4 * sd(mf) / Math.sqrt(400));
  });

  it("a latent site's term is the exact KL: with nothing observed the loss is KL(q ‖ p) at every draw", () => {
    function* prior() {
      yield* sample("z", dist.Normal(0, 1));
    }
    for (let k = 0; k < 5; k++) {
      setRngSeed(k);
      expect(new TraceMeanFieldELBO().loss(prior, guide)).toBeCloseTo(KL, 6);
    }
    // while TraceELBO's estimate of the same KL varies with the draw
    const plain = [1, 2].map((k) => { setRngSeed(k); return new TraceELBO().loss(prior, guide); });
    expect(plain[0]).not.toBeCloseTo(plain[1]!, 3);
  });

  it("with a guide whose pair has no closed form it is log p − log q at the draw", () => {
    const DF = 50;
    function* tGuide() {
      yield* sample("z", dist.StudentT(DF, M, S));
    }
    setRngSeed(3);
    const z = trace(tGuide).getTrace().sampleSite("z").value.dataSync()[0]!;
    setRngSeed(3);
    const got = new TraceMeanFieldELBO().loss(model, tGuide);
    // −[Σ log N(x_i | z, σ) + log N(z | 0, 1) − log t_50(z | m, s)], in float64
    const logN = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    const logT = (x: number) =>
      lgamma64((DF + 1) / 2) - lgamma64(DF / 2) - 0.5 * Math.log(DF * Math.PI) - Math.log(S) - ((DF + 1) / 2) * Math.log1p(((x - M) / S) ** 2 / DF);
    const want = -(X.reduce((acc, x) => acc + logN(x, z, SIGMA), 0) + logN(z, 0, 1) - logT(z));
    expect(got).toBeCloseTo(want, 4);
  });

  it("refuses a guide site that cannot be reparameterised, naming it", () => {
    function* m() {
      yield* sample("k", dist.Bernoulli({ probs: 0.3 }));
    }
    function* g() {
      yield* sample("k", dist.Bernoulli({ probs: 0.6 }));
    }
    expect(() => new TraceMeanFieldELBO().loss(m, g)).toThrow(PPLModelError);
    expect(() => new TraceMeanFieldELBO().loss(m, g)).toThrow(/guide site 'k' \(Bernoulli\) cannot be reparameterised/);
  });
});

describe("numParticles, vectorised in an outer plate", () => {
  it("TraceELBO: one vectorised call of 2000 particles has the closed-form mean and the 1/√N spread", () => {
    const one = losses(new TraceELBO(), 200);
    const many = losses(new TraceELBO({ numParticles: 2000, vectorizeParticles: true, maxPlateNesting: 1 }), 20);
    expect(Math.abs(mean(many) - NEG_ELBO)).toBeLessThan(4 * sd(one) / Math.sqrt(2000 * 20));
    // the spread of a 2000-particle average is a single particle's over √2000 (within sampling error)
    const ratio = sd(many) / (sd(one) / Math.sqrt(2000));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(1.6);
  });

  it("finds maxPlateNesting itself, and TraceMeanFieldELBO vectorises too", () => {
    const elbo = new TraceELBO({ numParticles: 500, vectorizeParticles: true });
    setRngSeed(5);
    const v = elbo.loss(model, guide);
    expect(elbo.maxPlateNesting).toBe(1);
    expect(Math.abs(v - NEG_ELBO)).toBeLessThan(0.5);
    setRngSeed(6);
    const mf = new TraceMeanFieldELBO({ numParticles: 500, vectorizeParticles: true }).loss(model, guide);
    expect(Math.abs(mf - NEG_ELBO)).toBeLessThan(0.3);
  });

  it("the gradient of the vectorised loss is the closed-form gradient (to Monte Carlo error)", () => {
    const m = tf.variable(tf.scalar(M));
    function* g() {
      yield* sample("z", dist.Normal(m, S));
    }
    setRngSeed(9);
    const { grads } = tf.variableGrads(
      () => new TraceELBO({ numParticles: 4000, vectorizeParticles: true, maxPlateNesting: 1 }).differentiableLoss(model, g), [m]);
    // d(−ELBO)/dm = −Σ (x_i − m)/σ² + m
    const want = -X.reduce((s, x) => s + (x - M), 0) / SIGMA ** 2 + M;
    // reparameterised: d/dm of Σ (x_i − z)²/2σ² + ... at z = m + s ε has sd ≈ (3 s / σ²) / √N
    expect(Math.abs(grads[m.name]!.dataSync()[0]! - want)).toBeLessThan(4 * (3 * S / SIGMA ** 2) / Math.sqrt(4000) + 1e-4);
    tf.dispose([m, ...Object.values(grads)]);
  });

  it("refuses a bad option, naming it", () => {
    expect(() => new TraceELBO({ numParticles: 0 })).toThrow(/TraceELBO: invalid options: numParticles/);
    expect(() => new TraceMeanFieldELBO({ vectorizeParticles: "yes" } as never)).toThrow(/vectorizeParticles/);
  });
});
