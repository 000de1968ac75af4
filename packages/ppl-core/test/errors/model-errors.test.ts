// Error behaviour: mistakes a user makes in a model are caught with a clear
// error that names the site, instead of giving a silently wrong answer.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  Adam, PPLConfigError, PPLModelError, PPLShapeError, PPLSupportError, SVI, TraceELBO, clearParamStore, constraints,
  deterministic, dist, factor, markov, param, plate, range, run, sample, setRngSeed, trace,
} from "ppl-core";
import { thrown } from "../helpers.js";

beforeEach(() => {
  clearParamStore();
  setRngSeed(3);
});

function* fine() {
  return yield* sample("ok", dist.Normal(0, 1));
}

describe("a primitive called without yield*", () => {
  it("is detected when the run ends, naming the site and the fix", () => {
    function* forgot() {
      sample("x", dist.Normal(0, 1)); // the mistake: no yield*
      yield* sample("y", dist.Normal(0, 1));
    }
    const err = thrown(() => run(forgot)) as PPLModelError;
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("sample('x')");
    expect(err.message).toContain("yield*");
    // the next, correct run is not affected
    expect(() => run(fine)).not.toThrow();
  });

  it("is detected for every primitive, under trace, and in a model with no other yield", () => {
    const cases: [string, () => Generator<never, void, unknown>][] = [
      ["param('w')", function* () { param("w", tf.scalar(1)); }],
      ["factor('f')", function* () { factor("f", tf.scalar(0)); }],
      ["deterministic('d')", function* () { deterministic("d", tf.scalar(0)); }],
      ["sample('s')", function* () { sample("s", dist.Normal(0, 1)); }],
    ];
    for (const [what, model] of cases) {
      const err = thrown(() => trace(model).getTrace());
      expect(err, what).toBeInstanceOf(PPLModelError);
      expect(err.message).toContain(what);
    }
    expect(() => run(fine)).not.toThrow();
  });

  it("is detected in a guide during SVI", () => {
    function* model() {
      yield* sample("mu", dist.Normal(0, 1));
    }
    function* guide() {
      const loc = yield* param("loc", tf.scalar(0));
      param("scale", tf.scalar(1), { constraint: constraints.positive }); // the mistake
      yield* sample("mu", dist.Normal(loc, 1));
    }
    const svi = new SVI(model, guide, new Adam({ lr: 0.01 }), new TraceELBO());
    const err = thrown(() => svi.step());
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("param('scale')");
  });

  it("plate and markov without yield* are detected too (their body would silently vanish)", () => {
    function* noPlate() {
      plate("data", 3, function* () {
        yield* sample("obs", dist.Normal(0, 1), { obs: tf.zeros([3]) });
      });
    }
    const err = thrown(() => run(noPlate));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("plate('data')");
    expect(err.message).toContain("yield*");
    function* noMarkov() {
      markov(range(2), function* (t) {
        yield* sample(`z_${t}`, dist.Normal(0, 1));
      });
    }
    expect(thrown(() => run(noMarkov))).toBeInstanceOf(PPLModelError);
    expect(() => run(fine)).not.toThrow();
  });
});

describe("duplicate site names", () => {
  it("two sample sites with one name error under trace, naming the site", () => {
    function* dup() {
      yield* sample("z", dist.Normal(0, 1));
      yield* sample("z", dist.Normal(0, 1));
    }
    const err = thrown(() => trace(dup).getTrace()) as PPLModelError;
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.site).toBe("z");
    expect(err.message).toContain("'z'");
  });

  it("a sample site may not share a param's name; a param read twice is fine", () => {
    function* clash() {
      yield* param("w", tf.scalar(1));
      yield* sample("w", dist.Normal(0, 1));
    }
    expect(thrown(() => trace(clash).getTrace())).toBeInstanceOf(PPLModelError);
    function* twice() {
      const a = yield* param("v", tf.scalar(1));
      const b = yield* param("v");
      return a.add(b);
    }
    expect(trace(twice).getTrace().nodes.size).toBe(1);
  });
});

describe("observed values and site arguments", () => {
  it("an observed NaN or Infinity errors, naming the site", () => {
    function* nanObs() {
      yield* sample("y", dist.Normal(0, 1), { obs: tf.tensor1d([1, NaN]) });
    }
    const err = thrown(() => run(nanObs)) as PPLSupportError;
    expect(err).toBeInstanceOf(PPLSupportError);
    expect(err.site).toBe("y");
    expect(err.message).toContain("'y'");
    expect(err.message).toContain("NaN");
    function* infObs() {
      yield* plate("N", 2, function* () {
        yield* sample("w", dist.Normal(0, 1), { obs: [0, Infinity] });
      });
    }
    expect((thrown(() => run(infObs)) as PPLSupportError).site).toBe("w");
  });

  it("unknown options and a non-distribution are rejected, naming the site", () => {
    function* badOption() {
      yield* sample("a", dist.Normal(0, 1), { observed: 1 } as never);
    }
    const e1 = thrown(() => run(badOption));
    expect(e1).toBeInstanceOf(PPLConfigError);
    expect(e1.message).toContain("observed");
    function* notADist() {
      yield* sample("b", { mean: 0 } as never);
    }
    const e2 = thrown(() => run(notADist)) as PPLModelError;
    expect(e2).toBeInstanceOf(PPLModelError);
    expect(e2.site).toBe("b");
    expect(thrown(() => run(function* () { yield* sample("", dist.Normal(0, 1)); }))).toBeInstanceOf(PPLConfigError);
  });

  it("a value whose shape does not fit the distribution errors naming the site", () => {
    function* misfit() {
      yield* sample("m", dist.Normal(tf.zeros([3]), 1), { obs: tf.zeros([4]) });
    }
    const tr = trace(misfit).getTrace();
    const err = thrown(() => tr.logProb("m")) as PPLShapeError;
    expect(err).toBeInstanceOf(PPLShapeError);
    expect(err.site).toBe("m");
  });

  it("an error thrown inside the model comes out naming the model and the site it followed, the original as its cause", () => {
    class Custom extends Error {}
    function* throws() {
      yield* sample("a", dist.Normal(0, 1));
      throw new Custom("from the model");
    }
    const err = thrown(() => trace(throws).getTrace());
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("while running 'throws', after site 'a'");
    expect(err.message).toContain("from the model");
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Custom);
    expect(() => run(fine)).not.toThrow();
  });
});
