// The sequential plate, Pyro's `for i in pyro.plate("data", N)`:
// plate(name, N, { sequential: true }, function* (i) {...}). Each iteration runs
// once with its own frame (no dim, vectorized: false) on every site's
// condIndepStack; subsampling scales as the vectorised plate does. Truths:
// closed-form log-densities and their derivative.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLModelError, PPLShapeError, TraceELBO, clearParamStore, dist, getParamStore, param, plate, run, sample, trace,
  type SampleSite,
} from "ppl-core";

const normalLogPdf = (y: number, loc: number, s: number) => -0.5 * ((y - loc) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const ys = [0.3, -1.1, 2.0, 0.7];

function* model() {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  return yield* plate("data", ys.length, { sequential: true }, function* (i: number) {
    yield* sample(`y_${i}`, dist.Normal(mu, 1), { obs: ys[i]! });
    return i * 10;
  });
}

describe("sequential plate", () => {
  it("runs the body once per index, returns its results, and tags each iteration with its own frame", () => {
    const { trace: tr, value } = trace(model).getTraceAndReturn();
    expect(value).toEqual([0, 10, 20, 30]);
    ys.forEach((_, i) => {
      const site = tr.sampleSite(`y_${i}`);
      expect(site.condIndepStack).toEqual([{ name: "data", size: 4, subsampleSize: 4, dim: undefined, vectorized: false, index: i }]);
      // no batch dim for the plate
      expect(site.fn.batchShape).toEqual([]);
    });
    expect(tr.sampleSite("mu").condIndepStack).toEqual([]);
    const mu = tr.sampleSite("mu").value.dataSync()[0]!;
    const want = normalLogPdf(mu, 0, 1) + ys.reduce((a, y) => a + normalLogPdf(y, mu, 1), 0);
    expect(tr.logProbSum().dataSync()[0]).toBeCloseTo(want, 4);
    expect(tr.formatShapes()).toMatch(/y_2 .*data\[2\]/);
  });

  it("TraceELBO: loss and gradient against the closed form, under a Delta guide", () => {
    clearParamStore();
    function* guide() {
      const m = yield* param("m", tf.scalar(0.4));
      yield* sample("mu", dist.Delta(m));
    }
    const elbo = new TraceELBO();
    const m = 0.4;
    const v = getParamStore();
    run(guide);
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide) as tf.Scalar, [v.unconstrained("m")]);
    const want = -(normalLogPdf(m, 0, 1) + ys.reduce((a, y) => a + normalLogPdf(y, m, 1), 0));
    expect(value.dataSync()[0]).toBeCloseTo(want, 4);
    // d loss / dm = m - sum(y - m)
    const dWant = m - ys.reduce((a, y) => a + (y - m), 0);
    expect(Object.values(grads)[0]!.dataSync()[0]).toBeCloseTo(dWant, 4);
    clearParamStore();
  });

  it("nests with vectorised plates either way round", () => {
    function* nested() {
      yield* plate("outer", 2, { sequential: true }, function* (i) {
        yield* plate("inner", 3, function* () {
          yield* sample(`a_${i}`, dist.Normal(0, 1));
        });
      });
      yield* plate("rows", 3, function* () {
        yield* plate("cols", 2, { sequential: true }, function* (j) {
          yield* sample(`b_${j}`, dist.Normal(0, 1));
        });
      });
    }
    const tr = trace(nested).getTrace();
    const a1 = tr.sampleSite("a_1");
    expect(a1.value.shape).toEqual([3]);
    expect(a1.condIndepStack.map((f) => [f.name, f.dim, f.vectorized ?? true])).toEqual([["inner", -1, true], ["outer", undefined, false]]);
    const b0 = tr.sampleSite("b_0");
    expect(b0.value.shape).toEqual([3]);
    expect(b0.condIndepStack.map((f) => [f.name, f.dim])).toEqual([["cols", undefined], ["rows", -1]]);
  });

  it("subsampling: the body runs for the drawn members only, each site scaled by size / subsampleSize", () => {
    const N = 10;
    const data = Array.from({ length: N }, (_, i) => 0.1 * i - 0.4);
    function* sub() {
      yield* plate("data", N, { sequential: true, subsampleSize: 4 }, function* (i) {
        yield* sample(`y_${i}`, dist.Normal(0, 2), { obs: data[i]! });
      });
    }
    const tr = trace(sub).getTrace();
    const drawn = Array.from(tr.sampleSite("data").value.dataSync());
    expect(new Set(drawn).size).toBe(4);
    for (const i of drawn) expect(i >= 0 && i < N && Number.isInteger(i)).toBe(true);
    const sites = [...tr.sampleSites()] as SampleSite[];
    expect(sites.map((s) => s.name)).toEqual(drawn.map((i) => `y_${i}`));
    for (const s of sites) expect(s.scale).toBe(N / 4);
    const want = (N / 4) * drawn.reduce((a, i) => a + normalLogPdf(data[i]!, 0, 2), 0);
    expect(tr.logProbSum().dataSync()[0]).toBeCloseTo(want, 4);
  });

  it("a batched site inside only a sequential plate is a shape error naming the dim (no plate owns it)", () => {
    function* bad() {
      yield* plate("data", 2, { sequential: true }, function* (i) {
        yield* sample(`y_${i}`, dist.Normal(tf.zeros([3]), 1), { obs: tf.zeros([3]) });
      });
    }
    function* empty() {}
    expect(() => new TraceELBO().differentiableLoss(bad, empty)).toThrow(PPLShapeError);
    expect(() => new TraceELBO().differentiableLoss(bad, empty)).toThrow(/at site 'y_0'.*dim -1 has size 3 but no plate owns it/);
  });

  it("option errors name the option and what is valid", () => {
    function* withDim() {
      yield* plate("data", 3, { sequential: true, dim: -1 } as never, function* () {});
    }
    expect(() => run(withDim)).toThrow(PPLConfigError);
    expect(() => run(withDim)).toThrow(/plate\('data'\): a sequential plate has no batch dim, so it takes no dim option \(got dim: -1\)/);
    function* badValue() {
      yield* plate("data", 3, { sequential: "yes" } as never, function* () {});
    }
    expect(() => run(badValue)).toThrow(/plate\('data'\): invalid options: sequential: .*valid options are dim .*sequential \(a boolean\)/);
    function* sameName() {
      yield* plate("data", 2, { sequential: true }, function* () {
        yield* plate("data", 2, function* () {});
      });
    }
    expect(() => run(sameName)).toThrow(PPLModelError);
    expect(() => run(sameName)).toThrow(/plate\('data'\) is nested inside a plate of the same name/);
    function* sameNameSeq() {
      yield* plate("data", 2, function* () {
        yield* plate("data", 2, { sequential: true }, function* () {});
      });
    }
    expect(() => run(sameNameSeq)).toThrow(/plate\('data'\) is nested inside a plate of the same name/);
    function* noYield() {
      plate("data", 2, { sequential: true }, function* () {});
      yield* sample("a", dist.Normal(0, 1), { obs: 0 });
    }
    expect(() => run(noYield)).toThrow(/plate\('data'\) was called but never run/);
  });
});
