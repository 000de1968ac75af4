// mask and scale as blocks inside a model body (`yield* mask(m, function* () {...})`),
// alongside the model-transformer form: log-densities by closed form, Pyro's
// composition (masks and, scales multiply), and the argument errors.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, PPLModelError, dist, mask, plate, run, sample, scale, trace } from "ppl-core";

const normalLogPdf = (y: number, loc: number, s: number) => -0.5 * ((y - loc) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const ys = [0.5, -1, 2];
const y = tf.tensor1d(ys);

describe("mask as a block", () => {
  it("zeroes the log-density where the mask is false, inside a plate, and returns the body's value", () => {
    const m = tf.tensor1d([true, false, true], "bool");
    let returned: unknown;
    function* model() {
      returned = yield* plate("data", 3, function* () {
        return yield* mask(m, function* () {
          yield* sample("y", dist.Normal(0, 1), { obs: y });
          return 7;
        });
      });
    }
    const lp = Array.from(trace(model).getTrace().logProb("y").dataSync());
    expect(lp[0]).toBeCloseTo(normalLogPdf(ys[0]!, 0, 1), 5);
    expect(lp[1]).toBe(0);
    expect(lp[2]).toBeCloseTo(normalLogPdf(ys[2]!, 0, 1), 5);
    expect(returned).toBe(7);
  });

  it("composes by logical and with an outer block and an outer transformer", () => {
    function* inner() {
      yield* plate("data", 3, function* () {
        yield* mask(tf.tensor1d([true, true, false], "bool"), function* () {
          yield* mask(tf.tensor1d([true, false, true], "bool"), function* () {
            yield* sample("y", dist.Normal(1, 2), { obs: y });
          });
        });
      });
    }
    const total = trace(inner).getTrace().logProbSum().dataSync()[0]!;
    expect(total).toBeCloseTo(normalLogPdf(ys[0]!, 1, 2), 5);
    const allOff = trace(mask(inner, false)).getTrace().logProbSum().dataSync()[0]!;
    expect(allOff).toBe(0);
  });

  it("a boolean mask switches a whole block", () => {
    function* model() {
      yield* mask(false, function* () {
        yield* sample("a", dist.Normal(0, 1), { obs: 1 });
      });
      yield* mask(true, function* () {
        yield* sample("b", dist.Normal(0, 1), { obs: 1 });
      });
    }
    const tr = trace(model).getTrace();
    expect(tr.logProb("a").dataSync()[0]).toBe(0);
    expect(tr.logProb("b").dataSync()[0]).toBeCloseTo(normalLogPdf(1, 0, 1), 5);
  });
});

describe("scale as a block", () => {
  it("multiplies the log-density, and nested scales multiply", () => {
    function* model() {
      yield* scale(2, function* () {
        yield* sample("a", dist.Normal(0, 1), { obs: 0.5 });
        yield* scale(tf.scalar(3), function* () {
          yield* sample("b", dist.Normal(0, 1), { obs: 0.5 });
        });
      });
      yield* sample("c", dist.Normal(0, 1), { obs: 0.5 });
    }
    const tr = trace(scale(model, 0.5)).getTrace();
    const base = normalLogPdf(0.5, 0, 1);
    expect(tr.logProb("a").dataSync()[0]).toBeCloseTo(1 * base, 5);
    expect(tr.logProb("b").dataSync()[0]).toBeCloseTo(3 * base, 5);
    expect(tr.logProb("c").dataSync()[0]).toBeCloseTo(0.5 * base, 5);
  });

  it("with mask in a plate: a per-member scale times the mask", () => {
    function* model() {
      yield* plate("data", 3, function* () {
        yield* scale(tf.tensor1d([1, 2, 4]), function* () {
          yield* mask(tf.tensor1d([true, true, false], "bool"), function* () {
            yield* sample("y", dist.Normal(0, 1), { obs: y });
          });
        });
      });
    }
    const total = trace(model).getTrace().logProbSum().dataSync()[0]!;
    expect(total).toBeCloseTo(normalLogPdf(ys[0]!, 0, 1) + 2 * normalLogPdf(ys[1]!, 0, 1), 5);
  });
});

describe("mask and scale argument errors", () => {
  const body = function* () {
    yield* sample("a", dist.Normal(0, 1), { obs: 0 });
  };
  it("a block without yield* is reported like a primitive without yield*", () => {
    function* model() {
      mask(true, body);
      yield* sample("b", dist.Normal(0, 1), { obs: 0 });
    }
    expect(() => run(model)).toThrow(PPLModelError);
    expect(() => run(model)).toThrow(/mask\(\.\.\.\) was called but never run/);
  });

  it("name the argument and what is valid", () => {
    expect(() => mask(3 as never, body)).toThrow(PPLConfigError);
    expect(() => mask(3 as never, body)).toThrow(/mask\(m, body\): the mask must be a boolean or a tensor .* got a number/);
    expect(() => mask(body, "yes" as never)).toThrow(/mask\(model, m\): the mask must be a boolean or a tensor .* got a string/);
    expect(() => mask(true, 1 as never)).toThrow(/mask\(m, body\): the second argument must be the block's generator function, got a number/);
    expect(() => scale(0, body)).toThrow(/scale: factor must be a finite positive number, got 0/);
    expect(() => scale("2" as never, body)).toThrow(/scale\(s, body\): the factor must be a positive number or a tensor, got a string/);
    expect(() => scale(body, undefined as never)).toThrow(/scale\(model, s\): the factor must be a positive number or a tensor, got undefined/);
    expect(() => scale(2, {} as never)).toThrow(/scale\(s, body\): the second argument must be the block's generator function, got an object/);
  });
});
