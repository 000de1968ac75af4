import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLModelError, SVI, TraceELBO, block, clearParamStore, dist, plate, sample, setRngSeed, trace,
} from "ppl-core";
import { AutoDelta, initToFeasible, initToMean, initToMedian, initToSample, initToValue } from "ppl-autoguide";

describe("AutoDelta", () => {
  it("reaches the closed-form MAP of a Normal prior with Normal likelihood", () => {
    // mu ~ N(2, 0.5), x_i ~ N(mu, 1.5): MAP = (2/0.25 + sum x / 2.25) / (1/0.25 + n/2.25)
    const xs = [3.1, 2.4, 4.0, 3.6, 2.9, 3.3];
    const map = (2 / 0.25 + xs.reduce((a, b) => a + b) / 2.25) / (1 / 0.25 + xs.length / 2.25);
    function* model(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(2, 0.5));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, 1.5), { obs: x });
      });
    }
    clearParamStore();
    setRngSeed(1);
    const guide = new AutoDelta(model, { initLocFn: initToSample });
    const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO());
    const data = tf.tensor1d(xs);
    for (let i = 0; i < 600; i++) svi.step(data);
    const m = guide.median(data);
    expect(m.mu!.dataSync()[0]).toBeCloseTo(map, 3);
    tf.dispose([data, ...Object.values(m)]);
  });

  it("reaches the closed-form MAP on the simplex for a Dirichlet-Categorical model", () => {
    // p ~ Dir(alpha), x_i ~ Cat(p): MAP_k = (n_k + alpha_k - 1) / (n + sum(alpha) - K)
    const alpha = [2, 3, 1.5];
    const xs = [0, 1, 1, 2, 1, 0, 1, 2, 1, 1];
    const counts = [0, 0, 0];
    for (const x of xs) counts[x]! += 1;
    const denom = xs.length + alpha.reduce((a, b) => a + b) - alpha.length;
    const map = counts.map((c, k) => (c + alpha[k]! - 1) / denom);
    function* model(x: tf.Tensor) {
      const p = yield* sample("p", dist.Dirichlet(tf.tensor1d(alpha)));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Categorical(p), { obs: x });
      });
    }
    clearParamStore();
    setRngSeed(2);
    const guide = new AutoDelta(model, { initLocFn: initToMean });
    const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.998 }), new TraceELBO());
    const data = tf.tensor1d(xs, "int32");
    for (let i = 0; i < 1500; i++) svi.step(data);
    const p = guide.median(data).p!;
    const got = Array.from(p.dataSync());
    got.forEach((v, k) => expect(v).toBeCloseTo(map[k]!, 3));
    tf.dispose([data, p]);
  });

  it("block(expose) hides the other sites from the guide", () => {
    function* model() {
      const a = yield* sample("a", dist.Normal(0, 1));
      const b = yield* sample("b", dist.Normal(a, 1));
      yield* sample("c", dist.Normal(b, 1), { obs: tf.scalar(0.5) });
    }
    clearParamStore();
    const guide = new AutoDelta(block(model, { expose: ["a"] }), { initLocFn: initToFeasible });
    const tr = trace(guide).getTrace();
    expect([...tr.latentSites()].map((s) => s.name)).toEqual(["a"]);
    expect(guide.siteNames).toEqual(["a"]);
  });

  it("names the discrete site and the fix when one reaches it", () => {
    function* model() {
      yield* sample("z", dist.Categorical(tf.tensor1d([0.5, 0.5])));
    }
    clearParamStore();
    const guide = new AutoDelta(model);
    expect(() => trace(guide).getTrace()).toThrow(PPLModelError);
    expect(() => trace(guide).getTrace()).toThrow(/discrete sample site 'z'.*block\(model, \{ hide: \["z"\] \}\)/s);
  });

  it("initToValue uses given values and falls back for others", () => {
    function* model() {
      yield* sample("a", dist.Normal(0, 1));
      yield* sample("b", dist.LogNormal(0, 1));
    }
    clearParamStore();
    const guide = new AutoDelta(model, { initLocFn: initToValue({ values: { a: tf.scalar(0.25) }, fallback: initToFeasible }) });
    const m = guide.median();
    expect(m.a!.dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(m.b!.dataSync()[0]).toBeCloseTo(1, 6); // exp(0)
  });

  it("initToMedian takes the median of prior draws", () => {
    function* model() {
      yield* sample("s", dist.LogNormal(tf.zeros([4]), 0.01).toEvent(1));
    }
    clearParamStore();
    setRngSeed(5);
    const guide = new AutoDelta(model, { initLocFn: initToMedian({ numSamples: 31 }) });
    const s = Array.from(guide.median().s!.dataSync());
    // median of LogNormal(0, 0.01) is 1; 31 draws put it within a few hundredths of a sd
    s.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(0.01));
  });
});
