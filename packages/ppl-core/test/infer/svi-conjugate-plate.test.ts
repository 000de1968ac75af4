// Normal-Normal conjugate model with a plate of vector-valued data:
//   mu ~ N(0, tau^2 I_2);  x_i ~ N(mu, sigma^2 I_2), i = 1..n (plate "data", event dim 2).
// Per component j the posterior is N(m_j, s^2) with 1/s^2 = 1/tau^2 + n/sigma^2 and
// m_j = s^2 sum_i x_ij / sigma^2; the evidence follows from Bayes' rule at any mu.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  ClippedAdam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed,
} from "ppl-core";
import { normalLogPdf } from "../helpers.js";

const X = [[1.2, -0.5], [0.8, -1.1], [1.5, 0.2], [2.0, -0.7], [1.1, -0.3], [0.4, -1.4]];
const n = X.length;
const tau = 2;
const sigma = 1.5;
const postVar = 1 / (1 / tau ** 2 + n / sigma ** 2);
const postSd = Math.sqrt(postVar);
const postMean = [0, 1].map((j) => (postVar * X.reduce((s, row) => s + row[j]!, 0)) / sigma ** 2);
// log p(x) = log p(x | mu) + log p(mu) - log p(mu | x), at mu = 0, summed over the two components
const logEvidence = [0, 1].reduce(
  (tot, j) =>
    tot + X.reduce((s, row) => s + normalLogPdf(row[j]!, 0, sigma), 0) + normalLogPdf(0, 0, tau) -
    normalLogPdf(0, postMean[j]!, postSd),
  0,
);

function* model(x: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(tf.zeros([2]), tau).toEvent(1));
  yield* plate("data", n, function* () {
    yield* sample("obs", dist.Normal(mu, sigma).toEvent(1), { obs: x });
  });
}

function fixedGuide(loc: number[], scale: number) {
  return function* (_x: tf.Tensor) {
    yield* sample("mu", dist.Normal(tf.tensor1d(loc), scale).toEvent(1));
  };
}

function* guide(_x: tf.Tensor) {
  const loc = yield* param("loc", tf.zeros([2]));
  const scale = yield* param("scale", tf.ones([2]), { constraint: constraints.positive });
  yield* sample("mu", dist.Normal(loc, scale).toEvent(1));
}

describe("SVI on a Normal-Normal model with a plate of vector data", () => {
  const data = tf.tensor2d(X);

  it("the ELBO at the exact posterior is the log evidence for every draw (zero variance)", () => {
    setRngSeed(10);
    const elbo = new TraceELBO();
    const exact = fixedGuide(postMean, postSd);
    for (let k = 0; k < 5; k++) {
      expect(Math.abs(elbo.loss(model, exact, data) + logEvidence)).toBeLessThan(2e-4 * Math.abs(logEvidence));
    }
  });

  it("a shifted guide loses exactly KL = sum delta^2 / (2 s^2) on average", () => {
    setRngSeed(11);
    const delta = [0.5, -0.3];
    const shifted = fixedGuide(postMean.map((m, j) => m + delta[j]!), postSd);
    const particles = 400;
    const loss = new TraceELBO({ numParticles: particles }).loss(model, shifted, data);
    const kl = delta.reduce((s, d) => s + (d * d) / (2 * postVar), 0);
    // per draw, log p(x, mu) - log q(mu) = log p(x) - KL + (a zero-mean term of variance sum delta^2 / s^2)
    const se = Math.sqrt(delta.reduce((s, d) => s + (d * d) / postVar, 0) / particles);
    expect(Math.abs(loss - (kl - logEvidence))).toBeLessThan(4 * se);
  });

  it("reaches the closed-form posterior: loc within 0.1 posterior sd, scale within 5%", () => {
    clearParamStore();
    setRngSeed(12);
    // lr decays 0.05 -> ~0.001 over the run; seeds 12-15 land within 0.07 sd and 3.2% (noise floor)
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.998 }), new TraceELBO({ numParticles: 2 }));
    for (let i = 0; i < 2000; i++) svi.step(data);
    const v = getParamStore().values() as { loc: number[]; scale: number[] };
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(v.loc[j]! - postMean[j]!) / postSd, `loc[${j}]`).toBeLessThan(0.1);
      expect(Math.abs(v.scale[j]! - postSd) / postSd, `scale[${j}]`).toBeLessThan(0.05);
    }
    clearParamStore();
  });
});
