// Plates (dims, broadcasting, collisions, subsampling), markov tags, factor and deterministic.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLModelError, PPLShapeError, deterministic, dist, factor, markov, plate, range, sample, setRngSeed,
  trace,
} from "ppl-core";
import { expectClose, normalLogPdf, thrown, vals } from "../helpers.js";

beforeEach(() => setRngSeed(5));

describe("plate dims", () => {
  it("allocates dims automatically from the right: outer -1, inner -2", () => {
    function* model() {
      yield* plate("outer", 3, function* () {
        yield* sample("x", dist.Normal(0, 1));
        yield* plate("inner", 2, function* () {
          yield* sample("y", dist.Normal(0, 1));
        });
      });
    }
    const tr = trace(model).getTrace();
    const x = tr.sampleSite("x");
    const y = tr.sampleSite("y");
    expect(x.condIndepStack).toEqual([{ name: "outer", size: 3, subsampleSize: 3, dim: -1 }]);
    // innermost first
    expect(y.condIndepStack.map((f) => [f.name, f.dim])).toEqual([["inner", -2], ["outer", -1]]);
    expect(x.value.shape).toEqual([3]);
    expect(y.fn.batchShape).toEqual([2, 3]);
    expect(y.value.shape).toEqual([2, 3]);
    expect(tr.logProb("y").shape).toEqual([2, 3]);
  });

  it("uses a given dim and leaves size-1 dims to its right", () => {
    function* model() {
      yield* plate("rows", 4, { dim: -2 }, function* () {
        yield* sample("x", dist.Normal(0, 1));
        // an automatic plate inside takes the first free dim, -1
        yield* plate("cols", 3, function* () {
          yield* sample("y", dist.Normal(0, 1));
        });
      });
    }
    const tr = trace(model).getTrace();
    expect(tr.sampleSite("x").condIndepStack[0]!.dim).toBe(-2);
    expect(tr.sampleSite("x").value.shape).toEqual([4, 1]);
    expect(tr.sampleSite("y").condIndepStack.map((f) => f.dim)).toEqual([-1, -2]);
    expect(tr.sampleSite("y").value.shape).toEqual([4, 3]);
  });

  it("two sibling plates may reuse the same dim", () => {
    function* model() {
      yield* plate("a", 2, function* () {
        yield* sample("x", dist.Normal(0, 1));
      });
      yield* plate("b", 5, function* () {
        yield* sample("y", dist.Normal(0, 1));
      });
    }
    const tr = trace(model).getTrace();
    expect(tr.sampleSite("x").condIndepStack[0]!.dim).toBe(-1);
    expect(tr.sampleSite("y").condIndepStack[0]!.dim).toBe(-1);
    expect(tr.sampleSite("y").value.shape).toEqual([5]);
  });

  it("errors when two nested plates claim one dim, naming both", () => {
    function* model() {
      yield* plate("a", 2, { dim: -1 }, function* () {
        yield* plate("b", 3, { dim: -1 }, function* () {
          yield* sample("x", dist.Normal(0, 1));
        });
      });
    }
    const err = thrown(() => trace(model).getTrace());
    expect(err).toBeInstanceOf(PPLShapeError);
    expect(err.message).toContain("'a'");
    expect(err.message).toContain("'b'");
    expect(err.message).toContain("dim=-1");
  });

  it("rejects a bad size, bad options and a plate nested in its namesake", () => {
    const body = function* () {
      yield* sample("x", dist.Normal(0, 1));
    };
    expect(thrown(() => trace(() => plate("p", 0, body)).getTrace())).toBeInstanceOf(PPLConfigError);
    expect(thrown(() => trace(() => plate("p", 2, { dim: 1 }, body)).getTrace())).toBeInstanceOf(PPLConfigError);
    expect(thrown(() => trace(() => plate("p", 2, { size: 3 } as never, body)).getTrace())).toBeInstanceOf(PPLConfigError);
    const nested = () => plate("p", 2, () => plate("p", 3, { dim: -2 }, body));
    expect(thrown(() => trace(nested).getTrace())).toBeInstanceOf(PPLModelError);
  });
});

describe("plate broadcasting", () => {
  it("expands a scalar distribution to the plate size; a matching batch is kept", () => {
    const loc = tf.tensor1d([-1, 0, 1]);
    function* model() {
      yield* plate("N", 3, function* () {
        yield* sample("s", dist.Normal(0, 1));
        yield* sample("m", dist.Normal(loc, 1));
        yield* sample("one", dist.Normal(tf.tensor1d([5]), 1));
      });
    }
    const tr = trace(model).getTrace();
    for (const name of ["s", "m", "one"]) {
      expect(tr.sampleSite(name).fn.batchShape).toEqual([3]);
      expect(tr.sampleSite(name).value.shape).toEqual([3]);
    }
    // values drawn along the plate are independent, not one draw broadcast
    const s = vals(tr.sampleSite("s").value);
    expect(new Set(s).size).toBe(3);
    const m = vals(tr.sampleSite("m").value);
    expectClose(vals(tr.logProb("m")), m.map((v, i) => normalLogPdf(v, [-1, 0, 1][i]!, 1)), 1e-4);
  });

  it("keeps event dims to the right of plate dims", () => {
    function* model() {
      yield* plate("N", 4, function* () {
        yield* sample("v", dist.Normal(tf.zeros([2]), 1).toEvent(1));
      });
    }
    const tr = trace(model).getTrace();
    const v = tr.sampleSite("v");
    expect(v.fn.batchShape).toEqual([4]);
    expect(v.fn.eventShape).toEqual([2]);
    expect(v.value.shape).toEqual([4, 2]);
    expect(tr.logProb("v").shape).toEqual([4]);
  });

  it("errors when the batch size at the plate's dim is neither 1 nor the plate size", () => {
    function* model() {
      yield* plate("N", 3, function* () {
        yield* sample("bad", dist.Normal(tf.zeros([4]), 1));
      });
    }
    const err = thrown(() => trace(model).getTrace()) as PPLShapeError;
    expect(err).toBeInstanceOf(PPLShapeError);
    expect(err.site).toBe("bad");
    expect(err.plate).toBe("N");
  });
});

describe("plate subsampling", () => {
  const N = 100;
  const M = 10;
  const xs = Array.from({ length: N }, (_, i) => Math.sin(i) * 2);

  function* model(x: tf.Tensor) {
    let idx: tf.Tensor = tf.zeros([0]);
    yield* plate("data", N, { subsampleSize: M }, function* (ind) {
      idx = ind;
      yield* sample("obs", dist.Normal(0.5, 1.5), { obs: tf.gather(x, ind) });
    });
    return idx;
  }

  it("hands the body subsampleSize distinct indices in [0, size)", () => {
    const { value: ind } = trace(model).getTraceAndReturn(tf.tensor1d(xs));
    expect(ind.dtype).toBe("int32");
    expect(ind.shape).toEqual([M]);
    const v = vals(ind);
    expect(new Set(v).size).toBe(M);
    for (const i of v) expect(i >= 0 && i < N && Number.isInteger(i)).toBe(true);
  });

  it("scales the log-density by size / subsampleSize", () => {
    const { trace: tr, value: ind } = trace(model).getTraceAndReturn(tf.tensor1d(xs));
    const obs = tr.sampleSite("obs");
    expect(obs.condIndepStack).toEqual([{ name: "data", size: N, subsampleSize: M, dim: -1 }]);
    const expected = vals(ind).map((i) => (N / M) * normalLogPdf(xs[i]!, 0.5, 1.5));
    expectClose(vals(tr.logProb("obs")), expected, 1e-4);
    // the subsample site itself adds nothing to the density
    expectClose(vals(tr.logProbSum()), [expected.reduce((s, v) => s + v, 0)], 1e-3);
    expect([...tr.sampleSites()].map((s) => s.name)).toEqual(["obs"]);
  });

  it("draws different subsets on different runs", () => {
    const a = vals(trace(model).getTraceAndReturn(tf.tensor1d(xs)).value);
    const b = vals(trace(model).getTraceAndReturn(tf.tensor1d(xs)).value);
    expect(a).not.toEqual(b);
  });

  it("a subsampleSize >= size means no subsampling and no scaling", () => {
    function* full() {
      yield* plate("d", 3, { subsampleSize: 5 }, function* (ind) {
        expect(vals(ind)).toEqual([0, 1, 2]);
        yield* sample("o", dist.Normal(0, 1), { obs: tf.tensor1d([0, 1, 2]) });
      });
    }
    const tr = trace(full).getTrace();
    expectClose(vals(tr.logProb("o")), [0, 1, 2].map((x) => normalLogPdf(x, 0, 1)), 1e-5);
  });
});

describe("markov", () => {
  it("tags each step's sites with the loop and step number", () => {
    function* model() {
      yield* markov(range(4), function* (t) {
        yield* sample(`z_${t}`, dist.Normal(0, 1));
        yield* sample(`y_${t}`, dist.Normal(0, 1), { obs: tf.scalar(t) });
      });
    }
    const tr = trace(model).getTrace();
    const steps = [...tr.sampleSites()].map((s) => [s.name, s.markov.map((m) => m.step)]);
    expect(steps).toEqual([
      ["z_0", [0]], ["y_0", [0]], ["z_1", [1]], ["y_1", [1]], ["z_2", [2]], ["y_2", [2]], ["z_3", [3]], ["y_3", [3]],
    ]);
    const chains = new Set([...tr.sampleSites()].map((s) => s.markov[0]!.chain));
    expect(chains.size).toBe(1);
    expect(tr.sampleSite("z_0").markov[0]!.history).toBe(1);
  });

  it("passes the items of any iterable, sets history, and separates loops", () => {
    const seen: string[] = [];
    function* model() {
      yield* markov(["a", "b"], function* (item, step) {
        seen.push(`${item}${step}`);
        yield* sample(`u_${item}`, dist.Normal(0, 1));
      }, { history: 2, name: "first" });
      yield* markov(range(1), function* (t) {
        yield* sample(`w_${t}`, dist.Normal(0, 1));
      });
    }
    const tr = trace(model).getTrace();
    expect(seen).toEqual(["a0", "b1"]);
    const u = tr.sampleSite("u_b").markov[0]!;
    expect([u.step, u.history, u.chainName]).toEqual([1, 2, "first"]);
    expect(tr.sampleSite("w_0").markov[0]!.chain).not.toBe(u.chain);
  });

  it("nests: inner tag first; plates inside a markov step still tag their sites", () => {
    function* model() {
      yield* markov(range(2), function* (t) {
        yield* markov(range(3), function* (s) {
          yield* plate("P", 2, function* () {
            yield* sample(`x_${t}_${s}`, dist.Normal(0, 1));
          });
        });
      });
    }
    const tr = trace(model).getTrace();
    const x = tr.sampleSite("x_1_2");
    expect(x.markov.map((m) => m.step)).toEqual([2, 1]);
    expect(x.condIndepStack.map((f) => f.name)).toEqual(["P"]);
    expect(x.value.shape).toEqual([2]);
  });

  it("the single-context form tags step 0", () => {
    function* model() {
      return yield* markov(function* () {
        return yield* sample("z", dist.Normal(0, 1));
      });
    }
    const tr = trace(model).getTrace();
    expect(tr.sampleSite("z").markov.map((m) => m.step)).toEqual([0]);
  });

  it("rejects a negative history", () => {
    const model = () => markov(range(2), function* () {}, { history: -1 });
    expect(thrown(() => trace(model).getTrace())).toBeInstanceOf(PPLConfigError);
  });
});

describe("factor and deterministic", () => {
  it("factor adds its log-factor to logProbSum, batched under a plate", () => {
    function* model() {
      yield* sample("x", dist.Normal(0, 1), { obs: tf.scalar(0.7) });
      yield* factor("f", tf.scalar(-2.25));
      yield* plate("N", 3, function* () {
        yield* factor("g", tf.tensor1d([0.5, 1, 1.5]));
      });
    }
    const tr = trace(model).getTrace();
    expect(tr.sampleSite("f").isObserved).toBe(true);
    expect(tr.logProb("g").shape).toEqual([3]);
    expectClose(vals(tr.logProbSum()), [normalLogPdf(0.7, 0, 1) - 2.25 + 3], 1e-5);
  });

  it("deterministic is recorded with its value and zero log-density", () => {
    function* model() {
      const a = yield* sample("a", dist.Normal(0, 1), { obs: tf.scalar(1.25) });
      yield* deterministic("twice", a.mul(2));
      yield* deterministic("vec", tf.tensor1d([1, 2, 3]));
    }
    const tr = trace(model).getTrace();
    const d = tr.sampleSite("twice");
    expect(d.role).toBe("deterministic");
    expect(vals(d.value)).toEqual([2.5]);
    expect(vals(tr.logProb("twice"))).toEqual([0]);
    // the vector is one event: a scalar zero log-density
    expect(tr.logProb("vec").shape).toEqual([]);
    expect(vals(tr.logProb("vec"))).toEqual([0]);
    expectClose(vals(tr.logProbSum()), [normalLogPdf(1.25, 0, 1)], 1e-6);
  });
});
