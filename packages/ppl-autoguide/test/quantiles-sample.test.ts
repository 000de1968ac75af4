// median / quantiles / sample of AutoNormal and AutoDelta in constrained space, against
// closed forms of their hand-set params: AutoNormal's positive site is LogNormal(loc, scale),
// so its q-quantile is exp(loc + scale·Φ⁻¹(q)); AutoDelta's quantiles and draws are its point.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { clearParamStore, constraints, dist, getParamStore, plate, sample, setRngSeed } from "ppl-core";
import { AutoDelta, AutoNormal, initToValue } from "ppl-autoguide";

function* model() {
  yield* sample("m", dist.Normal(0, 1));
  yield* plate("items", 2, function* () {
    yield* sample("s", dist.LogNormal(0, 1));
  });
}

// Φ⁻¹ at 0.05, 0.5, 0.975 (reference values from scipy.stats.norm.ppf)
const QS = [0.05, 0.5, 0.975];
const Z = [-1.6448536269514722, 0, 1.959963984540054];

describe("AutoNormal.quantiles and .sample", () => {
  it("are the unconstrained Normal's, pushed onto each support", () => {
    clearParamStore();
    setRngSeed(6);
    const store = getParamStore();
    store.get("AutoNormal.locs.m", () => tf.scalar(0.7), constraints.real).dispose();
    store.get("AutoNormal.scales.m", () => tf.scalar(0.2), constraints.positive).dispose();
    store.get("AutoNormal.locs.s", () => tf.tensor1d([-0.5, 0.4]), constraints.real).dispose();
    store.get("AutoNormal.scales.s", () => tf.tensor1d([0.3, 0.1]), constraints.positive).dispose();
    const guide = new AutoNormal(model);
    const q = guide.quantiles(QS);
    expect(q.m!.shape).toEqual([3]);
    expect(q.s!.shape).toEqual([3, 2]);
    const m = Array.from(q.m!.dataSync());
    const s = q.s!.arraySync() as number[][];
    Z.forEach((z, j) => {
      expect(m[j]).toBeCloseTo(0.7 + 0.2 * z, 5);
      expect(s[j]![0]).toBeCloseTo(Math.exp(-0.5 + 0.3 * z), 5);
      expect(s[j]![1]).toBeCloseTo(Math.exp(0.4 + 0.1 * z), 5);
    });
    const draws = guide.sample(4000);
    expect(draws.s!.shape).toEqual([4000, 2]);
    const logS = tf.tidy(() => tf.moments(draws.s!.log(), 0));
    const mean = Array.from(logS.mean.dataSync());
    const sd = Array.from(logS.variance.sqrt().dataSync());
    expect(Math.abs(mean[0]! + 0.5)).toBeLessThan(4 * 0.3 / Math.sqrt(4000));
    expect(Math.abs(sd[1]! - 0.1) / 0.1).toBeLessThan(0.05);
    tf.dispose([...Object.values(q), ...Object.values(draws), logS.mean, logS.variance]);
  });
});

describe("AutoDelta.quantiles and .sample", () => {
  it("repeat the point estimate", () => {
    clearParamStore();
    const guide = new AutoDelta(model, { initLocFn: initToValue({ values: { m: 0.25, s: [1.5, 3] } }) });
    const q = guide.quantiles([0.1, 0.9]);
    expect(q.s!.arraySync()).toEqual([[1.5, 3], [1.5, 3]].map((r) => r.map((v) => expect.closeTo(v, 5))));
    const d = guide.sample(3);
    expect(Array.from(d.m!.dataSync())).toEqual([0.25, 0.25, 0.25].map((v) => expect.closeTo(v, 6)));
    expect(() => guide.quantiles([])).toThrow(/AutoDelta\.quantiles: qs must be a non-empty array/);
  });
});
