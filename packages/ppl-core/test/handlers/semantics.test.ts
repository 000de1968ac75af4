// Handler semantics, checked against what Pyro's handlers do on small models.
// Every expected log-density is computed here in float64 from the site values.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLModelError, block, clearParamStore, condition, constraints, deterministic, dist, factor,
  getParamStore, mask, param, plate, replay, run, sample, scale, seed, setRngSeed, substitute, trace, withHandler,
  type Handler, type Msg,
} from "ppl-core";
import { expectClose, normalLogPdf, thrown, vals } from "../helpers.js";

beforeEach(() => {
  clearParamStore();
  setRngSeed(2024);
});

const data = [0.3, -1.2, 2.0];

function* fullModel(y: tf.Tensor) {
  const p = yield* param("p", tf.scalar(0.5), { constraint: constraints.positive });
  const a = yield* sample("a", dist.Normal(0, p));
  yield* plate("N", 3, function* () {
    yield* sample("b", dist.Normal(a, 1), { obs: y });
  });
  const d = yield* deterministic("d", a.mul(2));
  yield* factor("f", tf.scalar(-1.5));
  return { a, d };
}

/** a ~ N(0, 1); b ~ N(a, 1) observed at 2; c ~ N(0, 1). */
function* abc() {
  const a = yield* sample("a", dist.Normal(0, 1));
  const b = yield* sample("b", dist.Normal(a, 1), { obs: tf.scalar(2) });
  const c = yield* sample("c", dist.Normal(0, 1));
  return { a, b, c };
}

/** a ~ N(0, 1); b_i ~ N(a, 1) observed, in a plate of 3. */
function* platedModel(y: tf.Tensor) {
  const a = yield* sample("a", dist.Normal(0, 1));
  yield* plate("N", 3, function* () {
    yield* sample("b", dist.Normal(a, 1), { obs: y });
  });
  return a;
}

const scalarOf = (t: tf.Tensor) => t.dataSync()[0]!;

describe("trace", () => {
  it("records every site in order with name, type, value, isObserved and plate frames", () => {
    const y = tf.tensor1d(data);
    const { trace: tr, value } = trace(fullModel).getTraceAndReturn(y);
    expect([...tr.nodes.keys()]).toEqual(["p", "a", "b", "d", "f"]);
    expect([...tr.nodes.values()].map((s) => s.type)).toEqual(["param", "sample", "sample", "sample", "sample"]);

    const p = tr.get("p")!;
    expect(scalarOf(p.value!)).toBeCloseTo(0.5, 6);

    const a = tr.sampleSite("a");
    expect(a.isObserved).toBe(false);
    expect(a.role).toBe("sample");
    expect(vals(a.value)).toEqual(vals(value.a));
    expect(a.condIndepStack).toEqual([]);

    const b = tr.sampleSite("b");
    expect(b.isObserved).toBe(true);
    expect(vals(b.value)).toEqual(vals(y));
    expect(b.condIndepStack).toEqual([{ name: "N", size: 3, subsampleSize: 3, dim: -1 }]);
    expect(b.fn.batchShape).toEqual([3]);

    const d = tr.sampleSite("d");
    expect(d.role).toBe("deterministic");
    expectClose(vals(d.value), [2 * scalarOf(value.a)]);
    expect(tr.sampleSite("f").role).toBe("factor");
  });

  it("gives each site its log-density and the sum of them", () => {
    const y = tf.tensor1d(data);
    const tr = trace(fullModel).getTrace(y);
    const a = scalarOf(tr.sampleSite("a").value);
    const lpA = normalLogPdf(a, 0, 0.5);
    const lpB = data.map((x) => normalLogPdf(x, a, 1));
    expectClose(vals(tr.logProb("a")), [lpA]);
    expectClose(vals(tr.logProb("b")), lpB);
    expectClose(vals(tr.logProb("d")), [0]);
    expectClose(vals(tr.logProb("f")), [-1.5]);
    expectClose(vals(tr.logProbSum()), [lpA + lpB.reduce((s, v) => s + v, 0) - 1.5], 1e-4);
    tr.dispose();
  });

  it("keeps the last run's trace when used as a model transformer", () => {
    const traced = trace(abc);
    const out = run(traced);
    expect([...traced.lastTrace!.nodes.keys()]).toEqual(["a", "b", "c"]);
    expect(vals(traced.lastTrace!.sampleSite("c").value)).toEqual(vals(out.c));
  });
});

describe("replay", () => {
  function* guide() {
    yield* sample("a", dist.Normal(10, 0.1));
    yield* sample("b", dist.Normal(-10, 0.1)); // latent here, observed in the model
  }

  it("reuses the guide's values at latent sites, not at observed ones", () => {
    const gt = trace(guide).getTrace();
    const mt = trace(replay(abc, { trace: gt })).getTrace();
    const aGuide = scalarOf(gt.sampleSite("a").value);
    expect(aGuide).toBeGreaterThan(9);
    expect(scalarOf(mt.sampleSite("a").value)).toBe(aGuide);
    expect(mt.sampleSite("a").isObserved).toBe(false);
    // the observed site keeps its observation
    expect(scalarOf(mt.sampleSite("b").value)).toBe(2);
    expect(mt.sampleSite("b").isObserved).toBe(true);
    // a site the guide lacks is drawn from the model's prior
    expect(Math.abs(scalarOf(mt.sampleSite("c").value))).toBeLessThan(6);
    // log-densities are the model's, at the guide's value
    expectClose(vals(mt.logProb("a")), [normalLogPdf(aGuide, 0, 1)], 1e-4);
    expectClose(vals(mt.logProb("b")), [normalLogPdf(2, aGuide, 1)], 1e-4);
  });

  it("refuses to replay a latent site from an observed one", () => {
    function* observedGuide() {
      yield* sample("a", dist.Normal(0, 1), { obs: tf.scalar(1) });
    }
    const gt = trace(observedGuide).getTrace();
    const err = thrown(() => trace(replay(abc, { trace: gt })).getTrace());
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("'a'");
  });
});

describe("condition", () => {
  function* chain() {
    const a = yield* sample("a", dist.Normal(0, 1));
    const b = yield* sample("b", dist.Normal(a, 0.5));
    return b;
  }

  it("makes a site observed with the given value, and downstream sites see it", () => {
    const tr = trace(condition(chain, { a: 1.5 })).getTrace();
    const a = tr.sampleSite("a");
    expect(a.isObserved).toBe(true);
    expect(vals(a.value)).toEqual([1.5]);
    expectClose(vals(tr.logProb("a")), [normalLogPdf(1.5, 0, 1)]);
    const b = tr.sampleSite("b");
    expect(b.isObserved).toBe(false);
    expectClose(vals(tr.logProb("b")), [normalLogPdf(scalarOf(b.value), 1.5, 0.5)], 1e-4);
  });

  it("overrides an observation, and the outer condition wins when nested (it processes last)", () => {
    const tr = trace(condition(abc, { b: -3 })).getTrace();
    expect(vals(tr.sampleSite("b").value)).toEqual([-3]);
    const nested = trace(condition(condition(chain, { a: 1 }), { a: 2 })).getTrace();
    expect(vals(nested.sampleSite("a").value)).toEqual([2]);
  });
});

describe("substitute", () => {
  function* withParam() {
    const w = yield* param("w", tf.scalar(1));
    const a = yield* sample("a", dist.Normal(w, 1));
    return { w, a };
  }

  it("replaces param values only; a sample site's name is refused, pointing to condition", () => {
    const err = thrown(() => trace(substitute(withParam, { w: 4, a: 100 })).getTrace());
    expect(err).toBeInstanceOf(PPLModelError);
    expect((err as Error).message).toContain("'a' is a sample site of the model, not a param site");
    expect((err as Error).message).toContain("condition(model, { name: value })");
    const tr = trace(substitute(withParam, { w: 4 })).getTrace();
    expect(vals(tr.get("w")!.value!)).toEqual([4]);
    const a = tr.sampleSite("a");
    expect(a.isObserved).toBe(false);
    expect(scalarOf(a.value)).not.toBe(100);
    expectClose(vals(tr.logProb("a")), [normalLogPdf(scalarOf(a.value), 4, 1)], 1e-4);
    // the substituted param never reached the store
    expect(getParamStore().has("w")).toBe(false);
    // without substitute the store's value (the init) is used
    const plain = trace(withParam).getTrace();
    expect(vals(plain.get("w")!.value!)).toEqual([1]);
    expect(getParamStore().has("w")).toBe(true);
  });
});

describe("block", () => {
  function* three() {
    yield* param("p", tf.scalar(1));
    const a = yield* sample("a", dist.Normal(0, 1));
    yield* sample("b", dist.Normal(a, 1), { obs: tf.scalar(0.5) });
    return a;
  }
  const names = (m: () => Generator<Msg, unknown, unknown>) => [...trace(m).getTrace().nodes.keys()];

  it("hides everything by default", () => {
    expect(names(block(three))).toEqual([]);
  });

  it("exposes only the named sites or types with expose / exposeTypes", () => {
    expect(names(block(three, { expose: ["a"] }))).toEqual(["a"]);
    expect(names(block(three, { exposeTypes: ["param"] }))).toEqual(["p"]);
  });

  it("hides only the named sites or types with hide / hideTypes / hideFn", () => {
    expect(names(block(three, { hide: ["a"] }))).toEqual(["p", "b"]);
    expect(names(block(three, { hideTypes: ["sample"] }))).toEqual(["p"]);
    expect(names(block(three, { hideFn: (m) => m.type === "sample" && m.isObserved }))).toEqual(["p", "a"]);
  });

  it("still records in a trace inside the block (the block is outside it)", () => {
    const inner = trace(three);
    expect(names(block(inner))).toEqual([]);
    expect([...inner.lastTrace!.nodes.keys()]).toEqual(["p", "a", "b"]);
  });

  it("keeps hidden sites from an outer replay", () => {
    function* guide() {
      yield* sample("a", dist.Normal(10, 0.01));
    }
    const gt = trace(guide).getTrace();
    const hidden = run(replay(block(three, { hide: ["a"] }), { trace: gt }));
    expect(scalarOf(hidden)).toBeLessThan(6);
    const exposed = run(replay(block(three, { expose: ["a"] }), { trace: gt }));
    expect(scalarOf(exposed)).toBe(scalarOf(gt.sampleSite("a").value));
  });

  it("rejects unknown options", () => {
    expect(thrown(() => block(three, { exclude: ["a"] } as never))).toBeInstanceOf(PPLConfigError);
  });
});

describe("scale", () => {
  it("multiplies the log-density of every sample site, latent and observed", () => {
    const y = tf.tensor1d(data);
    const tr = trace(scale(platedModel, 2.5)).getTrace(y);
    const a = scalarOf(tr.sampleSite("a").value);
    expectClose(vals(tr.logProb("a")), [2.5 * normalLogPdf(a, 0, 1)], 1e-4);
    expectClose(vals(tr.logProb("b")), data.map((x) => 2.5 * normalLogPdf(x, a, 1)), 1e-4);
  });

  it("composes multiplicatively and accepts a tensor factor broadcast over a plate", () => {
    const y = tf.tensor1d(data);
    const tr = trace(scale(scale(platedModel, 2), 3)).getTrace(y);
    const a = scalarOf(tr.sampleSite("a").value);
    expectClose(vals(tr.logProb("a")), [6 * normalLogPdf(a, 0, 1)], 1e-4);
    function* onlyPlate() {
      yield* plate("N", 3, function* () {
        yield* sample("b", dist.Normal(0, 1), { obs: y });
      });
    }
    const tt = trace(scale(onlyPlate, tf.tensor1d([1, 2, 3]))).getTrace();
    expectClose(vals(tt.logProb("b")), data.map((x, i) => (i + 1) * normalLogPdf(x, 0, 1)), 1e-4);
  });

  it("leaves the draws alone", () => {
    const y = tf.tensor1d(data);
    const plain = run(seed(platedModel, 9), y);
    const scaled = run(seed(scale(platedModel, 2.5), 9), y);
    expect(vals(scaled)).toEqual(vals(plain));
  });

  it("rejects a non-positive factor", () => {
    expect(thrown(() => scale(platedModel, 0))).toBeInstanceOf(PPLConfigError);
    expect(thrown(() => scale(platedModel, -1))).toBeInstanceOf(PPLConfigError);
  });
});

describe("mask", () => {
  const y = tf.tensor1d(data);
  const lpB = (a: number) => data.map((x) => normalLogPdf(x, a, 1));

  it("zeroes the log-density where the mask is false", () => {
    const tr = trace(mask(platedModel, tf.tensor1d([true, false, true], "bool"))).getTrace(y);
    const a = scalarOf(tr.sampleSite("a").value);
    const full = lpB(a);
    expectClose(vals(tr.logProb("b")), [full[0]!, 0, full[2]!], 1e-4);
    // the unbatched site broadcasts against the mask: its log-prob becomes [lp, 0, lp]
    const lpA = normalLogPdf(a, 0, 1);
    expectClose(vals(tr.logProb("a")), [lpA, 0, lpA], 1e-4);
    // the observed values are unchanged
    expect(vals(tr.sampleSite("b").value)).toEqual(vals(y));
  });

  it("true changes nothing, false zeroes everything, nested masks combine with 'and'", () => {
    const t1 = trace(mask(platedModel, true)).getTrace(y);
    expectClose(vals(t1.logProb("b")), lpB(scalarOf(t1.sampleSite("a").value)), 1e-4);
    const t0 = trace(mask(platedModel, false)).getTrace(y);
    expect(vals(t0.logProb("b"))).toEqual([0, 0, 0]);
    expect(vals(t0.logProb("a"))).toEqual([0]);
    const m1 = tf.tensor1d([true, false, true], "bool");
    const m2 = tf.tensor1d([true, true, false], "bool");
    const tn = trace(mask(mask(platedModel, m1), m2)).getTrace(y);
    const full = lpB(scalarOf(tn.sampleSite("a").value));
    expectClose(vals(tn.logProb("b")), [full[0]!, 0, 0], 1e-4);
  });
});

describe("seed", () => {
  function* draws() {
    const a = yield* sample("a", dist.Normal(0, 1));
    const a2 = yield* sample("a2", dist.Normal(0, 1));
    let v: tf.Tensor = tf.scalar(0);
    yield* plate("N", 5, function* () {
      v = yield* sample("v", dist.Normal(0, 1));
    });
    return [...vals(a), ...vals(a2), ...vals(v)];
  }

  it("makes draws reproducible regardless of the global seed; distinct seeds differ", () => {
    setRngSeed(1);
    const x1 = run(seed(draws, 11));
    setRngSeed(2);
    const x2 = run(seed(draws, 11));
    expect(x2).toEqual(x1);
    const y = run(seed(draws, 12));
    expect(y.every((v, i) => v !== x1[i])).toBe(true);
    // two sites of the same distribution in one run get different draws
    expect(x1[0]).not.toBe(x1[1]);
  });

  it("the innermost seed wins", () => {
    expect(run(seed(seed(draws, 11), 12))).toEqual(run(seed(draws, 11)));
  });

  it("setRngSeed makes unseeded runs reproducible; consecutive runs differ", () => {
    setRngSeed(77);
    const first = run(draws);
    const second = run(draws);
    setRngSeed(77);
    expect(run(draws)).toEqual(first);
    expect(second).not.toEqual(first);
  });
});

describe("handler nesting", () => {
  function* one() {
    return yield* sample("a", dist.Normal(0, 1));
  }
  const logger = (id: string, log: string[]) => (): Handler => ({
    process: (m) => void log.push(`${id}.process(${m.name})`),
    postprocess: (m) => void log.push(`${id}.post(${m.name})`),
  });

  it("inner handlers process first and postprocess last (Pyro's order)", () => {
    const log: string[] = [];
    run(withHandler(withHandler(withHandler(one, logger("inner", log)), logger("middle", log)), logger("outer", log)));
    expect(log).toEqual([
      "inner.process(a)", "middle.process(a)", "outer.process(a)",
      "outer.post(a)", "middle.post(a)", "inner.post(a)",
    ]);
  });

  it("a block stops the message: outer handlers never see it, inner ones still postprocess", () => {
    const log: string[] = [];
    run(withHandler(block(withHandler(one, logger("inner", log))), logger("outer", log)));
    expect(log).toEqual(["inner.process(a)", "inner.post(a)"]);
  });

  it("a trace inside condition records the conditioned value (its postprocess runs after condition's process)", () => {
    const inner = trace(one);
    run(condition(inner, { a: 0.25 }));
    const site = inner.lastTrace!.sampleSite("a");
    expect(site.isObserved).toBe(true);
    expect(vals(site.value)).toEqual([0.25]);
  });
});
