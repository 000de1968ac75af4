// setValidation(false) skips the checks that read tensor values (support of
// parameters and data, NaN in data, vindex ranges) but never the structural
// checks that prevent silently wrong answers.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import {
  PPLModelError, PPLResourceError, PPLShapeError, PPLSupportError, dist, isValidationEnabled, plate, run, sample, setValidation, trace, vindex,
} from "ppl-core";
import { caught, expectPPLError } from "./helpers.js";

afterEach(() => setValidation(true));

// each is a PPLSupportError with validation on, and no error at all with it off
const valueChecks: [string, () => unknown][] = [
  ["a negative scale", () => dist.Normal(0, -1)],
  ["probs with a negative weight", () => dist.Categorical([0.5, -0.6])],
  ["a zero Dirichlet concentration", () => dist.Dirichlet([1, 0])],
  ["NaN in observed data", () => run(function* () {
    yield* sample("y", dist.Normal(0, 1), { obs: tf.tensor1d([NaN]) });
  })],
  ["an observed label outside the support", () => run(function* () {
    yield* sample("k", dist.Categorical([0.5, 0.5]), { obs: tf.scalar(5, "int32") });
  })],
];

const structuralChecks: [string, () => unknown, new (...a: never[]) => Error][] = [
  ["a duplicate site name", () => trace(function* () {
    yield* sample("x", dist.Normal(0, 1));
    yield* sample("x", dist.Normal(0, 1));
  }).getTrace(), PPLModelError],
  ["two plates at one dim", () => run(function* () {
    yield* plate("a", 2, { dim: -1 }, function* () {
      yield* plate("b", 2, { dim: -1 }, function* () {});
    });
  }), PPLShapeError],
  ["a plate of 1e9 members", () => run(function* () {
    yield* plate("a", 1e9, function* () {});
  }), PPLResourceError],
  ["a distribution of 1e9 elements", () => run(function* () {
    yield* sample("x", dist.Normal(0, 1).expand([1e5, 1e4]));
  }), PPLResourceError],
  ["a distribution that does not fit its plate", () => run(function* () {
    yield* plate("a", 3, function* () {
      yield* sample("x", dist.Normal(tf.zeros([2]), 1));
    });
  }), PPLShapeError],
  ["a primitive without yield*", () => run(function* () {
    sample("x", dist.Normal(0, 1));
  }), PPLModelError],
  ["a plain function as a model", () => run((() => 1) as never), PPLModelError],
];

describe("validation on (the default)", () => {
  it("is on by default", () => {
    expect(isValidationEnabled()).toBe(true);
  });
  for (const [what, f] of valueChecks) {
    it(`rejects ${what}`, () => {
      expect(caught(f)).toBeInstanceOf(PPLSupportError);
    });
  }
  it("rejects a vindex index out of range (with validation off, tfjs's own gather check may still fire)", () => {
    expect(caught(() => vindex(tf.tensor1d([1, 2]), tf.scalar(7, "int32")))).toBeInstanceOf(PPLShapeError);
  });
});

describe("setValidation(false)", () => {
  for (const [what, f] of valueChecks) {
    it(`skips the value check: ${what}`, () => {
      setValidation(false);
      expect(isValidationEnabled()).toBe(false);
      expect(() => tf.tidy(() => void f())).not.toThrow();
    });
  }
  for (const [what, f, cls] of structuralChecks) {
    it(`still throws on a structural mistake: ${what}`, () => {
      setValidation(false);
      expect(caught(f)).toBeInstanceOf(cls);
      setValidation(true);
      expect(caught(f)).toBeInstanceOf(cls);
    });
  }
  it("the support check's error is the one validation gives when on", () => {
    expectPPLError(() => dist.Normal(0, -1), PPLSupportError, ["'scale'"], { expected: "positive", actual: "-1" });
  });
});
