// TraceGraphELBO (Pyro's TraceGraph_ELBO) on a plated model with a discrete
// guide site: z_i ~ Bernoulli(0.4), y_i ~ Normal(2 z_i − 1, 1), guide
// z_i ~ Bernoulli(σ(θ_i)). The exact ELBO is a sum over i of a two-term sum, so
// its gradient in θ is known in closed form (float64 here). Both estimators must
// be unbiased for it; Rao-Blackwellisation over the plate must cut the variance.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type ELBO, TraceELBO, TraceGraphELBO, dist, plate, sample, setRngSeed, trace } from "ppl-core";

const Y = [1.2, -0.4, 0.9, -1.5, 0.3, 2.1, -0.8, 0.05];
const N = Y.length;
const THETA = Y.map((_, i) => Math.sin(i) * 0.8);
const PRIOR = 0.4;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logN = (y: number, m: number) => -0.5 * (y - m) ** 2 - 0.5 * Math.log(2 * Math.PI);

/** d ELBO / d θ_i: Σ_z dq_i(z)/dθ_i · (log p(z) + log p(y_i | z) − log q_i(z)); the −1 of d(−log q) sums to 0. */
function exactGrad(): number[] {
  return THETA.map((t, i) => {
    const q1 = sigmoid(t);
    const f = (z: 0 | 1) => Math.log(z ? PRIOR : 1 - PRIOR) + logN(Y[i]!, 2 * z - 1) - Math.log(z ? q1 : 1 - q1);
    const dq1 = q1 * (1 - q1);
    // d(−ELBO)/dθ, since the loss is −ELBO
    return -(dq1 * f(1) - dq1 * f(0));
  });
}

function gradSamples(elbo: ELBO, reps: number): number[][] {
  const theta = tf.variable(tf.tensor(THETA));
  function* model() {
    yield* plate("data", N, function* () {
      const z = yield* sample("z", dist.Bernoulli({ probs: PRIOR }));
      yield* sample("y", dist.Normal(z.mul(2).sub(1), 1), { obs: tf.tensor(Y) });
    });
  }
  function* guide() {
    yield* plate("data", N, function* () {
      yield* sample("z", dist.Bernoulli({ logits: theta }));
    });
  }
  const out: number[][] = [];
  for (let r = 0; r < reps; r++) {
    setRngSeed(500 + r);
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), [theta]);
    out.push(Array.from(grads[theta.name]!.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
  }
  theta.dispose();
  return out;
}

const column = (rows: number[][], i: number) => rows.map((r) => r[i]!);
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const variance = (a: number[]) => a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1);

describe("TraceGraphELBO", () => {
  const REPS = 300;
  const exact = exactGrad();
  const graph = gradSamples(new TraceGraphELBO(), REPS);
  const plain = gradSamples(new TraceELBO(), REPS);

  it("is an unbiased estimate of the exact gradient, element by element", () => {
    for (let i = 0; i < N; i++) {
      const g = column(graph, i);
      expect(Math.abs(mean(g) - exact[i]!), `θ_${i}`).toBeLessThan(4 * Math.sqrt(variance(g) / REPS) + 1e-6);
      const p = column(plain, i);
      expect(Math.abs(mean(p) - exact[i]!), `θ_${i} (TraceELBO)`).toBeLessThan(4 * Math.sqrt(variance(p) / REPS) + 1e-6);
    }
  });

  it("has far less variance than TraceELBO, whose reward is the whole plate's ELBO", () => {
    const total = (rows: number[][]) => Array.from({ length: N }, (_, i) => variance(column(rows, i))).reduce((s, v) => s + v, 0);
    expect(total(graph)).toBeLessThan(0.25 * total(plain));
  });

  it("its value is the ELBO at the draw: Σ_i log p(z_i) + log p(y_i | z_i) − log q(z_i), in float64", () => {
    function* model() {
      yield* plate("data", N, function* () {
        const z = yield* sample("z", dist.Bernoulli({ probs: PRIOR }));
        yield* sample("y", dist.Normal(z.mul(2).sub(1), 1), { obs: tf.tensor(Y) });
      });
    }
    function* guide() {
      yield* plate("data", N, function* () {
        yield* sample("z", dist.Bernoulli({ logits: tf.tensor(THETA) }));
      });
    }
    setRngSeed(77);
    const z = Array.from(trace(guide).getTrace().sampleSite("z").value.dataSync());
    setRngSeed(77);
    const got = new TraceGraphELBO().loss(model, guide);
    const elbo = z.reduce((acc, zi, i) => {
      const q1 = sigmoid(THETA[i]!);
      return acc + Math.log(zi ? PRIOR : 1 - PRIOR) + logN(Y[i]!, 2 * zi - 1) - Math.log(zi ? q1 : 1 - q1);
    }, 0);
    expect(got).toBeCloseTo(-elbo, 4);
  });
});
