// OneHotCategorical and Multinomial as enumerated sites under TraceEnumELBO: the
// ELBO of a model with no other latent is log p(data), checked against a float64
// brute-force sum over the enumerated support written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, plate, sample } from "ppl-core";
import { TraceEnumELBO } from "../src/index.js";

// torch's Multinomial: log of the probs clamped to [eps, 1 - eps] (clamp_probs, eps = 2^-23 in float32)
const clampProb = (p: number) => Math.min(1 - 2 ** -23, Math.max(2 ** -23, p));
const logFactorial = (n: number) => Array.from({ length: n }, (_, k) => Math.log(k + 1)).reduce((a, b) => a + b, 0);
const multinomialLogPmf = (n: number, p: number[], x: number[]) =>
  logFactorial(n) + x.reduce((s, xk, k) => s - logFactorial(xk) + (xk === 0 ? 0 : xk * Math.log(clampProb(p[k]!))), 0);
const normalLogPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};
const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

describe("OneHotCategorical and Multinomial enumerated under TraceEnumELBO", () => {
  const w = [0.2, 0.5, 0.3];
  const mu = [-2, 0.5, 3];
  const xs = [-1.7, 0.2, 2.5, 3.3, -0.1];

  it("an enumerated site under TraceEnumELBO: a mixture in a plate equals the brute-force sum", () => {
    const locs = tf.tensor1d(mu);
    function* model() {
      yield* plate("data", xs.length, function* () {
        const z = yield* sample("z", dist.OneHotCategorical(w), en);
        yield* sample("x", dist.Normal(z.mul(locs).sum(-1), 1), { obs: xs });
      });
    }
    const truth = xs.reduce((s, x) => s + lse(w.map((wk, k) => Math.log(wk) + normalLogPdf(x, mu[k]!, 1))), 0);
    const elbo = -new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide);
    expect(Math.abs(elbo - truth)).toBeLessThan(1e-4 * Math.abs(truth));
    locs.dispose();
  });

  it("a global enumerated one-hot and an enumerated Multinomial under TraceEnumELBO equal the brute-force sums", () => {
    const locs = tf.tensor1d(mu);
    function* global() {
      const z = yield* sample("z", dist.OneHotCategorical(w), en);
      yield* plate("data", xs.length, function* () {
        yield* sample("x", dist.Normal(z.mul(locs).sum(-1), 1), { obs: xs });
      });
    }
    const truthGlobal = lse(w.map((wk, k) => Math.log(wk) + xs.reduce((s, x) => s + normalLogPdf(x, mu[k]!, 1), 0)));
    const elboGlobal = -new TraceEnumELBO({ maxPlateNesting: 1 }).loss(global, emptyGuide);
    expect(Math.abs(elboGlobal - truthGlobal)).toBeLessThan(1e-4 * Math.abs(truthGlobal));

    // counts c of 2 draws over 3 categories set the observation's mean c · mu / 2
    function* counts() {
      const c = yield* sample("c", dist.Multinomial(2, w), en);
      yield* sample("y", dist.Normal(c.mul(locs).sum(-1).div(2), 0.7), { obs: 0.4 });
    }
    const support: number[][] = [];
    for (let a = 0; a <= 2; a++) for (let b = 0; a + b <= 2; b++) support.push([a, b, 2 - a - b]);
    const truthCounts = lse(support.map((c) => multinomialLogPmf(2, w, c) + normalLogPdf(0.4, c.reduce((s, ck, k) => s + ck * mu[k]!, 0) / 2, 0.7)));
    const elboCounts = -new TraceEnumELBO({ maxPlateNesting: 0 }).loss(counts, emptyGuide);
    expect(Math.abs(elboCounts - truthCounts)).toBeLessThan(1e-4 * Math.abs(truthCounts));
    locs.dispose();
  });
});
