// The five distributions the seed HMM relies on (Normal, LogNormal, Dirichlet,
// Categorical, Delta): log-densities against float64 closed forms, seeded sample
// moments against theory, and the shape behaviour of expand / toEvent / mask.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLShapeError, PPLSupportError, dist } from "ppl-core";
import {
  dirichletLogPdf, expectClose, expectMoments, lgamma64, logNormalLogPdf, normalLogPdf, thrown, vals,
} from "../helpers.js";

describe("the test's own float64 lgamma", () => {
  it("matches known Gamma values", () => {
    const cases: [number, number][] = [
      [1, 1], [2, 1], [5, 24], [10, 362880], [0.5, Math.sqrt(Math.PI)], [1.5, Math.sqrt(Math.PI) / 2],
      [0.1, 9.513507698668732], [3.7, 4.170651783796603], [25, 6.204484017332394e23],
    ];
    for (const [x, g] of cases) expect(Math.abs(lgamma64(x) - Math.log(g))).toBeLessThan(1e-12);
  });
});

describe("Normal", () => {
  it("logProb matches the closed form, broadcasting value against parameters", () => {
    const loc = [-1, 0, 2.5];
    const scale = [0.3, 1, 4];
    const xs = [[-1.2, 0, 10], [0.5, -3, 2.5]];
    const d = dist.Normal(tf.tensor1d(loc), tf.tensor1d(scale));
    const lp = d.logProb(tf.tensor2d(xs));
    expect(lp.shape).toEqual([2, 3]);
    expectClose(vals(lp), xs.flatMap((row) => row.map((x, j) => normalLogPdf(x, loc[j]!, scale[j]!))), 1e-5, 1e-6);
  });

  it("sample moments are within 4 standard errors of theory", () => {
    const [mu, s] = [1.5, 2];
    const x = vals(dist.Normal(mu, s).sample([20000], 101));
    expectMoments(x, [mu, mu ** 2 + s ** 2, mu ** 3 + 3 * mu * s ** 2, mu ** 4 + 6 * mu ** 2 * s ** 2 + 3 * s ** 4]);
    expectClose(vals(dist.Normal(mu, s).mean), [mu]);
    expectClose(vals(dist.Normal(mu, s).variance), [s * s]);
  });

  it("the same seed gives the same draws, another seed other draws", () => {
    const d = dist.Normal(0, 1);
    expect(vals(d.sample([5], 3))).toEqual(vals(d.sample([5], 3)));
    expect(vals(d.sample([5], 3))).not.toEqual(vals(d.sample([5], 4)));
  });

  it("rejects a non-positive scale, naming the distribution and parameter", () => {
    const err = thrown(() => dist.Normal(0, tf.tensor1d([1, -2])));
    expect(err).toBeInstanceOf(PPLSupportError);
    expect(err.message).toContain("Normal");
    expect(err.message).toContain("scale");
  });
});

describe("LogNormal", () => {
  it("logProb matches the closed form", () => {
    const pts: [number, number, number][] = [[0.5, 0, 1], [1, 0.3, 0.5], [7.2, 1.5, 2], [0.01, -2, 0.7]];
    for (const [x, mu, s] of pts) {
      expectClose(vals(dist.LogNormal(mu, s).logProb(tf.scalar(x))), [logNormalLogPdf(x, mu, s)], 1e-5, 1e-6);
    }
  });

  it("sample moments are within 4 standard errors of theory", () => {
    const [mu, s] = [0.2, 0.5];
    const raw = (k: number) => Math.exp(k * mu + (k * k * s * s) / 2);
    const x = vals(dist.LogNormal(mu, s).sample([20000], 202));
    expect(Math.min(...x)).toBeGreaterThan(0);
    expectMoments(x, [raw(1), raw(2), raw(3), raw(4)]);
    expectClose(vals(dist.LogNormal(mu, s).mean), [raw(1)], 1e-6, 1e-5);
    expectClose(vals(dist.LogNormal(mu, s).variance), [raw(2) - raw(1) ** 2], 1e-6, 1e-5);
  });
});

describe("Dirichlet", () => {
  it("logProb matches the Gamma-function closed form", () => {
    const alphas = [[0.5, 2, 3.5], [1, 1, 1], [10, 0.3, 4]];
    const points = [[0.2, 0.3, 0.5], [0.01, 0.98, 0.01], [0.6, 0.1, 0.3]];
    for (const a of alphas) {
      const lp = dist.Dirichlet(tf.tensor1d(a)).logProb(tf.tensor2d(points));
      expect(lp.shape).toEqual([3]);
      expectClose(vals(lp), points.map((x) => dirichletLogPdf(x, a)), 2e-4, 2e-5);
    }
  });

  it("batched concentrations give one log-density per batch member", () => {
    const a = [[2, 3], [0.7, 0.4]];
    const x = [[0.25, 0.75], [0.9, 0.1]];
    const lp = dist.Dirichlet(tf.tensor2d(a)).logProb(tf.tensor2d(x));
    expectClose(vals(lp), [dirichletLogPdf(x[0]!, a[0]!), dirichletLogPdf(x[1]!, a[1]!)], 2e-4, 2e-5);
  });

  it("samples lie on the simplex with each component's moments within 4 SE (Beta marginals)", () => {
    const a = [0.5, 2, 3.5];
    const a0 = a.reduce((s, v) => s + v, 0);
    const n = 20000;
    const x = dist.Dirichlet(tf.tensor1d(a)).sample([n], 303);
    expect(x.shape).toEqual([n, 3]);
    const flat = vals(x);
    for (let i = 0; i < n; i++) {
      const s = flat[3 * i]! + flat[3 * i + 1]! + flat[3 * i + 2]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    for (let k = 0; k < 3; k++) {
      // the marginal is Beta(a_k, a0 - a_k): E[X^j] = prod_{i<j} (a_k + i) / (a0 + i)
      const raw = (j: number) => {
        let m = 1;
        for (let i = 0; i < j; i++) m *= (a[k]! + i) / (a0 + i);
        return m;
      };
      const comp = Array.from({ length: n }, (_, i) => flat[3 * i + k]!);
      expectMoments(comp, [raw(1), raw(2), raw(3), raw(4)]);
    }
    const mean = a.map((v) => v / a0);
    expectClose(vals(dist.Dirichlet(tf.tensor1d(a)).mean), mean, 1e-6);
    expectClose(vals(dist.Dirichlet(tf.tensor1d(a)).variance), mean.map((m) => (m * (1 - m)) / (a0 + 1)), 1e-6);
  });
});

describe("Categorical", () => {
  it("logProb is log p[value], from probs or from unnormalised logits", () => {
    const p = [0.2, 0.5, 0.3];
    const lp = dist.Categorical(tf.tensor1d(p)).logProb(tf.tensor1d([0, 1, 2, 1], "int32"));
    expectClose(vals(lp), [0, 1, 2, 1].map((k) => Math.log(p[k]!)), 1e-6);
    const logits = [1, -0.5, 3, 0];
    const lse = Math.log(logits.reduce((s, v) => s + Math.exp(v), 0));
    const lp2 = dist.Categorical({ logits: tf.tensor1d(logits) }).logProb(tf.tensor1d([3, 2, 0], "int32"));
    expectClose(vals(lp2), [3, 2, 0].map((k) => logits[k]! - lse), 1e-5);
  });

  it("batches: probs [2, 3] with values [4, 2] give log-densities [4, 2]", () => {
    const probs = [[0.1, 0.6, 0.3], [0.7, 0.2, 0.1]];
    const v = [[0, 1], [2, 0], [1, 1], [2, 2]];
    const lp = dist.Categorical(tf.tensor2d(probs)).logProb(tf.tensor2d(v, undefined, "int32"));
    expect(lp.shape).toEqual([4, 2]);
    expectClose(vals(lp), v.flatMap((row) => row.map((k, b) => Math.log(probs[b]![k]!))), 1e-6);
  });

  it("sample frequencies, mean and variance are within 4 SE of theory", () => {
    const p = [0.2, 0.5, 0.3];
    const n = 20000;
    const x = vals(dist.Categorical(tf.tensor1d(p)).sample([n], 404));
    for (let k = 0; k < 3; k++) {
      const freq = x.filter((v) => v === k).length / n;
      expect(Math.abs(freq - p[k]!)).toBeLessThan(4 * Math.sqrt((p[k]! * (1 - p[k]!)) / n));
    }
    const raw = (j: number) => p.reduce((s, pk, k) => s + pk * k ** j, 0);
    expectMoments(x, [raw(1), raw(2), raw(3), raw(4)]);
    expectClose(vals(dist.Categorical(tf.tensor1d(p)).mean), [raw(1)], 1e-6);
    expectClose(vals(dist.Categorical(tf.tensor1d(p)).variance), [raw(2) - raw(1) ** 2], 1e-6);
  });

  it("enumerates its support as [K, 1, ...] or expanded [K, ...batch]", () => {
    const d = dist.Categorical(tf.ones([2, 3]).div(3));
    expect(d.enumerateSupport(false).shape).toEqual([3, 1]);
    const full = d.enumerateSupport(true);
    expect(full.shape).toEqual([3, 2]);
    expect(vals(full)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe("Delta", () => {
  it("logProb is logDensity at v and -Infinity elsewhere", () => {
    const d = dist.Delta(tf.tensor1d([1, 2, 3]));
    expect(vals(d.logProb(tf.tensor1d([1, 5, 3])))).toEqual([0, -Infinity, 0]);
    const withDensity = dist.Delta(tf.scalar(2), { logDensity: -0.75 });
    expect(vals(withDensity.logProb(tf.scalar(2)))).toEqual([-0.75]);
  });

  it("with eventDim 1 one mismatching element makes the whole event impossible", () => {
    const d = dist.Delta(tf.tensor2d([[1, 2], [3, 4]]), { eventDim: 1 });
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([2]);
    expect(vals(d.logProb(tf.tensor2d([[1, 2], [3, 0]])))).toEqual([0, -Infinity]);
  });

  it("samples are v, with zero variance", () => {
    const d = dist.Delta(tf.tensor1d([1.5, -2]));
    const x = d.sample([3]);
    expect(x.shape).toEqual([3, 2]);
    expect(vals(x)).toEqual([1.5, -2, 1.5, -2, 1.5, -2]);
    expect(vals(d.variance)).toEqual([0, 0]);
  });
});

describe("shape behaviour of expand / toEvent / mask", () => {
  const lpNormal = (xs: number[]) => xs.map((x) => normalLogPdf(x, 0, 1));

  it("expand broadcasts the batch shape; draws are independent along new dims", () => {
    const d = dist.Normal(tf.zeros([3]), 1).expand([2, 3]);
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([]);
    const x = d.sample([5], 7);
    expect(x.shape).toEqual([5, 2, 3]);
    const row = vals(x.slice([0, 0, 0], [1, 1, 3]));
    const row2 = vals(x.slice([0, 1, 0], [1, 1, 3]));
    expect(row).not.toEqual(row2);
    const v = tf.tensor2d([[0, 1, 2], [-1, -2, 0.5]]);
    const lp = d.logProb(v);
    expect(lp.shape).toEqual([2, 3]);
    expectClose(vals(lp), lpNormal(vals(v)), 1e-5);
    // a batch-free value broadcasts to the expanded batch
    expect(d.logProb(tf.scalar(0)).shape).toEqual([2, 3]);
    expect(thrown(() => dist.Normal(tf.zeros([3]), 1).expand([4]))).toBeInstanceOf(PPLShapeError);
  });

  it("toEvent moves batch dims into the event and sums their log-densities", () => {
    const base = dist.Normal(tf.zeros([2, 3]), 1);
    const d = base.toEvent(1);
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([3]);
    const v = tf.tensor2d([[0, 1, 2], [-1, -2, 0.5]]);
    const lp = d.logProb(v);
    expect(lp.shape).toEqual([2]);
    const elem = lpNormal(vals(v));
    expectClose(vals(lp), [elem[0]! + elem[1]! + elem[2]!, elem[3]! + elem[4]! + elem[5]!], 1e-5);
    const d2 = base.toEvent(2);
    expect([d2.batchShape, d2.eventShape]).toEqual([[], [2, 3]]);
    expect(d2.logProb(v).shape).toEqual([]);
    expect(d.sample([4]).shape).toEqual([4, 2, 3]);
    expect(thrown(() => base.toEvent(3))).toBeInstanceOf(PPLShapeError);
    // expanding an Independent adds batch dims to the left of the event
    const e = d.expand([5, 2]);
    expect([e.batchShape, e.eventShape]).toEqual([[5, 2], [3]]);
    expect(e.logProb(v).shape).toEqual([5, 2]);
  });

  it("Dirichlet's event is its last axis; toEvent takes batch dims into it", () => {
    const d = dist.Dirichlet(tf.ones([4, 3]));
    expect([d.batchShape, d.eventShape]).toEqual([[4], [3]]);
    const e = d.toEvent(1);
    expect([e.batchShape, e.eventShape]).toEqual([[], [4, 3]]);
    const x = e.sample([2], 9);
    expect(x.shape).toEqual([2, 4, 3]);
    expect(e.logProb(x).shape).toEqual([2]);
    // Dirichlet(1,1,1) has density Gamma(3) = 2 everywhere: log 2 per row, 4 rows per event
    expectClose(vals(e.logProb(x)), [4 * Math.log(2), 4 * Math.log(2)], 1e-4);
  });

  it("mask zeroes the log-density where false, broadcasting the batch shape", () => {
    const m = tf.tensor1d([true, false, true], "bool");
    const d = dist.Normal(0, 1).mask(m);
    expect(d.batchShape).toEqual([3]);
    const v = tf.tensor1d([0.5, 1, -2]);
    const full = lpNormal([0.5, 1, -2]);
    expectClose(vals(d.logProb(v)), [full[0]!, 0, full[2]!], 1e-6);
    expect(vals(dist.Normal(0, 1).mask(false).logProb(v))).toEqual([0, 0, 0]);
    expect(dist.Normal(0, 1).mask(true).logProb(v).shape).toEqual([3]);
    // a mask over the batch of a toEvent distribution masks whole events
    const ev = dist.Normal(tf.zeros([2, 3]), 1).toEvent(1).mask(tf.tensor1d([false, true], "bool"));
    const x = tf.tensor2d([[0, 1, 2], [-1, -2, 0.5]]);
    const e = lpNormal(vals(x));
    expectClose(vals(ev.logProb(x)), [0, e[3]! + e[4]! + e[5]!], 1e-5);
    expect(dist.Normal(0, 1).mask(m).sample([2]).shape).toEqual([2, 3]);
  });

  it("Categorical and Delta expand their batch", () => {
    const c = dist.Categorical(tf.tensor1d([0.25, 0.75])).expand([3]);
    expect([c.batchShape, c.eventShape]).toEqual([[3], []]);
    expectClose(vals(c.logProb(tf.tensor1d([1, 0, 1], "int32"))), [0.75, 0.25, 0.75].map(Math.log), 1e-6);
    expect(c.sample([4]).shape).toEqual([4, 3]);
    const dd = dist.Delta(tf.tensor1d([1, 2]), { eventDim: 1 }).expand([3]);
    expect([dd.batchShape, dd.eventShape]).toEqual([[3], [2]]);
    expect(vals(dd.logProb(tf.tensor1d([1, 2])))).toEqual([0, 0, 0]);
  });
});
