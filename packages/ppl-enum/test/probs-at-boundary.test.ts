// A probability that an enumerated value drives to exactly 0 or 1 (the
// capture–recapture idiom `y ~ Bernoulli(rho * z)`, issue 22 item 1): every
// family with a probability parameter clamps it to [eps, 1 − eps] before a log
// is taken (torch's clamp_probs, which Pyro's families inherit), so the loss is
// finite and its gradient is the float64 closed form, not NaN.
//
// The truth: the marginal likelihood written out in float64 with the exact
// (unclamped) probabilities, −log Σ_z p(z) p(y | z); its derivative by central
// finite differences. The clamp moves values by ~eps relative only.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, SVI, block, clearParamStore, condition, dist, sample, setRngSeed } from "ppl-core";
import type { Distribution } from "ppl-core";
import { AutoNormal } from "ppl-autoguide";
import { TraceEnumELBO } from "ppl-enum";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const PZ1 = 0.7; // z ~ Bernoulli(0.7)

const POISSON_3_OF_2 = (2 ** 3 * Math.exp(-2)) / 6; // Poisson(3 | rate 2)

/** One family per row: the distribution of y given q = rho · z (q is 0 at z = 0), the observation, and p(y | q) in float64. */
interface Case {
  name: string;
  make: (q: tf.Tensor) => Distribution;
  obs: tf.Tensor;
  pmf: (q: number) => number;
}
const cases: Case[] = [
  { name: "Bernoulli(q)", make: (q) => dist.Bernoulli(q), obs: tf.scalar(1), pmf: (q) => q },
  { name: "Bernoulli(1 − q) at 0", make: (q) => dist.Bernoulli(tf.scalar(1).sub(q)), obs: tf.scalar(0), pmf: (q) => q },
  { name: "Binomial(3, q)", make: (q) => dist.Binomial(3, q), obs: tf.scalar(2), pmf: (q) => 3 * q ** 2 * (1 - q) },
  { name: "Geometric(q)", make: (q) => dist.Geometric(q), obs: tf.scalar(1), pmf: (q) => (1 - q) * q },
  { name: "NegativeBinomial(2, q)", make: (q) => dist.NegativeBinomial(2, q), obs: tf.scalar(1), pmf: (q) => 2 * (1 - q) ** 2 * q },
  { name: "Categorical([1 − q, q])", make: (q) => dist.Categorical(tf.stack([tf.scalar(1).sub(q), q], -1)), obs: tf.scalar(1, "int32"), pmf: (q) => q },
  {
    name: "OneHotCategorical([1 − q, q])",
    make: (q) => dist.OneHotCategorical(tf.stack([tf.scalar(1).sub(q), q], -1)),
    obs: tf.tensor1d([0, 1]),
    pmf: (q) => q,
  },
  {
    name: "Multinomial(2, [1 − q, q])",
    make: (q) => dist.Multinomial(2, tf.stack([tf.scalar(1).sub(q), q], -1)),
    obs: tf.tensor1d([1, 1]),
    pmf: (q) => 2 * q * (1 - q),
  },
  {
    name: "ZeroInflatedPoisson(2, gate 1 − q)",
    make: (q) => dist.ZeroInflatedPoisson(2, { gate: tf.scalar(1).sub(q) }),
    obs: tf.scalar(3),
    pmf: (q) => q * POISSON_3_OF_2,
  },
];

/** −log Σ_z p(z) p(y | rho z) in float64: the z = 0 term is p(y | 0) = 0 for every case. */
const lossOf = (c: Case, rho: number) => -Math.log((1 - PZ1) * c.pmf(0) + PZ1 * c.pmf(rho));
const fdGrad = (c: Case, rho: number, h = 1e-6) => (lossOf(c, rho + h) - lossOf(c, rho - h)) / (2 * h);

const modelOf = (c: Case) =>
  function* (rho: tf.Tensor) {
    const z = yield* sample("z", dist.Bernoulli(PZ1), en);
    yield* sample("y", c.make(rho.mul(z)), { obs: c.obs });
  };

describe("a probability that an enumerated value makes exactly 0 or 1: finite loss, closed-form gradient", () => {
  it("issue 22's minimal case: rho = 0.6, z ~ Bernoulli(0.7) enumerated, y ~ Bernoulli(rho z) = 1: loss 0.8675, d/drho −1.6667 (Pyro)", () => {
    const elbo = new TraceEnumELBO({ maxPlateNesting: 0 });
    const model = modelOf(cases[0]!);
    const rho = tf.scalar(0.6);
    const { value, grads } = tf.tidy(() => {
      const g = tf.valueAndGrads((r: tf.Tensor) => elbo.differentiableLoss(model, emptyGuide, r))([rho]);
      return { value: g.value.dataSync()[0]!, grads: g.grads[0]!.dataSync()[0]! };
    });
    // −log(0.7 · 0.6) and −0.7 / 0.42, the figures Pyro gives in issue 22
    expect(value).toBeCloseTo(0.8675, 4);
    expect(grads).toBeCloseTo(-1.6667, 4);
    expect(Math.abs(value + Math.log(0.42))).toBeLessThan(1e-6);
    expect(Math.abs(grads + 0.7 / 0.42)).toBeLessThan(1e-5);
    rho.dispose();
  });

  it("the same with rho a sample site fixed by condition (its value reaches the log-prob through the probs)", () => {
    const elbo = new TraceEnumELBO({ maxPlateNesting: 0 });
    function* model() {
      const rho = yield* sample("rho", dist.Beta(2, 2));
      const z = yield* sample("z", dist.Bernoulli(PZ1), en);
      yield* sample("y", dist.Bernoulli(rho.mul(z)), { obs: 1 });
    }
    const rho = tf.scalar(0.6);
    const { value, grad } = tf.tidy(() => {
      const g = tf.valueAndGrads((r: tf.Tensor) => elbo.differentiableLoss(condition(model, { rho: r }), emptyGuide))([rho]);
      return { value: g.value.dataSync()[0]!, grad: g.grads[0]!.dataSync()[0]! };
    });
    // plus the Beta(2, 2) prior term −log(6 rho (1 − rho)) and its derivative −(1 − 2 rho) / (rho (1 − rho))
    expect(value).toBeCloseTo(-Math.log(0.42) - Math.log(6 * 0.6 * 0.4), 5);
    expect(grad).toBeCloseTo(-0.7 / 0.42 - (1 - 1.2) / 0.24, 4);
    rho.dispose();
  });

  for (const c of cases) {
    it(`${c.name}: the loss and d loss / d rho match the float64 marginal and its finite difference`, () => {
      const elbo = new TraceEnumELBO({ maxPlateNesting: 0 });
      const model = modelOf(c);
      for (const r of [0.3, 0.6]) {
        const rho = tf.scalar(r);
        const { value, grad } = tf.tidy(() => {
          const g = tf.valueAndGrads((x: tf.Tensor) => elbo.differentiableLoss(model, emptyGuide, x))([rho]);
          return { value: g.value.dataSync()[0]!, grad: g.grads[0]!.dataSync()[0]! };
        });
        rho.dispose();
        expect(Math.abs(value - lossOf(c, r)), `loss at rho = ${r}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(lossOf(c, r))));
        expect(Math.abs(grad - fdGrad(c, r)), `gradient at rho = ${r}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(fdGrad(c, r))));
      }
    });
  }

  it("under an autoguide, SVI keeps every param finite (it used to write NaN at step 0 and throw at step 1)", () => {
    clearParamStore();
    setRngSeed(3);
    function* model() {
      const rho = yield* sample("rho", dist.Beta(2, 2));
      const z = yield* sample("z", dist.Bernoulli(PZ1), en);
      yield* sample("y", dist.Bernoulli(rho.mul(z)), { obs: 1 });
    }
    const guide = new AutoNormal(block(model, { hide: ["z"] }));
    const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 0 }));
    const losses = Array.from({ length: 5 }, () => svi.step());
    expect(losses.every(Number.isFinite)).toBe(true);
    const median = guide.median();
    expect(Number.isFinite(median["rho"]!.dataSync()[0]!)).toBe(true);
    clearParamStore();
  });
});
