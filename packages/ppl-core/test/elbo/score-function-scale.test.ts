// The score-function term under plate subsampling: with a subsample of n of N
// members every cost is scaled by N/n, and the gradient estimate must be
// unbiased for the full-data ELBO's gradient. A score function scaled by N/n
// as well would count the factor twice (it did before this test). Closed form as in trace-graph-elbo.test.ts.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type ELBO, TraceGraphELBO, dist, plate, sample, setRngSeed } from "ppl-core";

// data far on the z = 1 side: a large gradient, so a factor of N/n too much stands out of the noise
const Y = [3, 2.5, 3.5, 2.8];
const N = Y.length;
const SUB = 2;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logN = (y: number, m: number) => -0.5 * (y - m) ** 2 - 0.5 * Math.log(2 * Math.PI);

describe("score-function terms with subsampling", () => {
  // one shared guide logit θ; the full-data d(−ELBO)/dθ is Σ_i of each member's term
  const THETA = 0.3;
  const q1 = sigmoid(THETA);
  const exact = -Y.reduce((s, y) => {
    const f = (z: 0 | 1) => Math.log(0.5) + logN(y, 2 * z - 1) - Math.log(z ? q1 : 1 - q1);
    return s + q1 * (1 - q1) * (f(1) - f(0));
  }, 0);

  // TraceELBO shares the score function (score-function.ts) but rewards it with the whole
  // ELBO: too noisy for 300 draws to tell a factor of 2; TraceGraphELBO's reward can
  {
    it("TraceGraphELBO: unbiased for the full-data gradient", () => {
      const elbo: ELBO = new TraceGraphELBO();
      const theta = tf.variable(tf.scalar(THETA));
      function* model() {
        yield* plate("data", N, { subsampleSize: SUB }, function* (idx) {
          const z = yield* sample("z", dist.Bernoulli({ probs: 0.5 }));
          yield* sample("y", dist.Normal(z.mul(2).sub(1), 1), { obs: tf.gather(tf.tensor(Y), idx) });
        });
      }
      function* guide() {
        yield* plate("data", N, { subsampleSize: SUB }, function* () {
          yield* sample("z", dist.Bernoulli({ logits: theta }));
        });
      }
      const gs: number[] = [];
      for (let r = 0; r < 300; r++) {
        setRngSeed(100 + r);
        const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), [theta]);
        gs.push(grads[theta.name]!.dataSync()[0]!);
        tf.dispose([value, ...Object.values(grads)]);
      }
      theta.dispose();
      const m = gs.reduce((s, x) => s + x, 0) / gs.length;
      const sd = Math.sqrt(gs.reduce((s, x) => s + (x - m) ** 2, 0) / (gs.length - 1));
      expect(Math.abs(m - exact)).toBeLessThan(4 * sd / Math.sqrt(gs.length));
      // and the test can tell: twice the gradient is far outside the noise
      expect(Math.abs(exact)).toBeGreaterThan(8 * sd / Math.sqrt(gs.length));
    });
  }
});
