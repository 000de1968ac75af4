import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ClippedAdam, SVI, TraceELBO, bijectTo, clearParamStore, constraints, dist, plate, sample, setRngSeed, trace } from "ppl-core";
import { AutoNormal, UnconstrainedNormal } from "ppl-autoguide";

describe("AutoNormal", () => {
  it("reaches the exact posterior mean and sd of the Normal-Normal model within 3%", () => {
    // mu ~ N(1, 2), x_i ~ N(mu, 1): posterior precision 1/4 + n, mean (1/4 + sum x) / precision
    const xs = [2.3, 1.1, 2.9, 1.7, 2.2, 2.6, 1.4, 2.0];
    const precision = 1 / 4 + xs.length;
    const postMean = (1 / 4 + xs.reduce((a, b) => a + b)) / precision;
    const postSd = Math.sqrt(1 / precision);
    function* model(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(1, 2));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, 1), { obs: x });
      });
    }
    clearParamStore();
    setRngSeed(11);
    const guide = new AutoNormal(model, { initScale: 0.5 });
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.9985 }), new TraceELBO({ numParticles: 4 }));
    const data = tf.tensor1d(xs);
    for (let i = 0; i < 3000; i++) svi.step(data);
    const mean = guide.median(data).mu!.dataSync()[0]!;
    const sd = guide.scales(data).mu!.dataSync()[0]!;
    expect(Math.abs(mean - postMean) / postMean).toBeLessThan(0.03);
    expect(Math.abs(sd - postSd) / postSd).toBeLessThan(0.03);
  });

  it("samples constrained sites on their support and names params like Pyro", () => {
    function* model() {
      yield* sample("p", dist.Dirichlet(tf.ones([3])));
      yield* sample("s", dist.LogNormal(0, 1));
    }
    clearParamStore();
    const guide = new AutoNormal(model);
    const tr = trace(guide).getTrace();
    const p = Array.from(tr.sampleSite("p").value.dataSync());
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(tr.sampleSite("s").value.dataSync()[0]).toBeGreaterThan(0);
    const names = [...tr.nodes.values()].filter((s) => s.type === "param").map((s) => s.name);
    expect(names).toEqual(["AutoNormal.locs.p", "AutoNormal.scales.p", "AutoNormal.locs.s", "AutoNormal.scales.s"]);
  });

  it("gives the change-of-variables density of a constrained draw", () => {
    // y = exp(x), x ~ N(0.3, 0.5): log p(y) = log N(log y; 0.3, 0.5) - log y
    const d = new UnconstrainedNormal(tf.scalar(0.3), tf.scalar(0.5), constraints.positive, 0);
    const y = tf.scalar(1.7);
    const lx = Math.log(1.7);
    const want = -0.5 * ((lx - 0.3) / 0.5) ** 2 - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) - lx;
    expect(d.logProb(y).dataSync()[0]).toBeCloseTo(want, 5);
    // stick-breaking: the density integrates the Jacobian of the simplex map
    const s = new UnconstrainedNormal(tf.tensor1d([0.1, -0.2]), tf.tensor1d([0.3, 0.4]), constraints.simplex, 1);
    const v = s.sample([], 3);
    const x = bijectTo(constraints.simplex).inverse(v);
    const base = dist.Normal(tf.tensor1d([0.1, -0.2]), tf.tensor1d([0.3, 0.4])).toEvent(1).logProb(x).dataSync()[0]!;
    const jac = bijectTo(constraints.simplex).logAbsDetJacobian(x, v).dataSync()[0]!;
    expect(s.logProb(v).dataSync()[0]).toBeCloseTo(base - jac, 4);
  });
});
