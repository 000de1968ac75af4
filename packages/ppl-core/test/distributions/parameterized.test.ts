// The declared-arguments base class (Pyro's arg_constraints): a user-written family
// gets conversion, shape and constraint checks with ppl's messages, its batch and
// event shapes, stored fields and batch key from the declaration alone.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import {
  PPLShapeError, PPLSupportError, Parameterized, type TensorLike, constraints, dist, setValidation,
} from "ppl-core";
import { LOG_2PI, expectClose, thrown, vals } from "./helpers.js";

afterEach(() => setValidation(true));

/** A Gaussian in (loc, precision): log N(x | loc, 1/sqrt(precision)). */
class PrecisionNormal extends Parameterized("PrecisionNormal", {
  loc: constraints.real,
  precision: constraints.positive,
  weight: { constraint: constraints.positive, optional: true },
}) {
  readonly support = constraints.real;
  constructor(loc: TensorLike, precision: TensorLike, weight?: TensorLike) {
    super(weight === undefined ? { loc, precision } : { loc, precision, weight });
  }
  sample(sampleShape: readonly number[] = []): tf.Tensor {
    return tf.tidy(() => tf.randomNormal(this.shape(sampleShape), 0, 1, "float32", 1).div(this.precision.sqrt()).add(this.loc));
  }
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => x.sub(this.loc).square().mul(this.precision).mul(-0.5).add(this.precision.log().mul(0.5)).sub(0.5 * LOG_2PI));
  }
  override batchKey(): readonly unknown[] | undefined {
    return this.keyFor(PrecisionNormal);
  }
}

/** An event-valued family: a vector of independent unit-rate draws with a per-event shift. */
class Shifted extends Parameterized("Shifted", {
  shift: { constraint: constraints.real, eventDim: 1, shape: "[..., D]" },
  rate: constraints.positive,
}) {
  readonly support = constraints.real;
  constructor(shift: TensorLike, rate: TensorLike) {
    super({ shift, rate });
  }
  sample(): tf.Tensor {
    return tf.zeros(this.shape());
  }
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => x.sub(this.shift).mul(this.rate.expandDims(-1)).neg().sum(-1));
  }
}

describe("Parameterized", () => {
  it("stores the arguments as float32 tensors, broadcasts the batch shape and keeps the declaration", () => {
    const d = new PrecisionNormal([0, 1, 2], [[4], [1]]);
    expect(d.name).toBe("PrecisionNormal");
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([]);
    expect(d.loc.dtype).toBe("float32");
    expect(d.precision.shape).toEqual([2, 1]);
    expect(d.weight).toBeUndefined();
    expect(Object.keys(PrecisionNormal.argConstraints)).toEqual(["loc", "precision", "weight"]);
    // log N(1 | 0, 1/2) = -0.5 * 4 + 0.5 log 4 - 0.5 log 2 pi
    expectClose(vals(d.logProb(tf.scalar(1))).slice(0, 1), [-2 + 0.5 * Math.log(4) - 0.5 * LOG_2PI], 1e-5);
    expect(vals(new PrecisionNormal(0, 1, 2).weight!)).toEqual([2]);
  });

  it("takes the event shape from an argument with eventDim and the batch from the rest", () => {
    const d = new Shifted(tf.zeros([4, 3]), tf.ones([2, 1]));
    expect(d.batchShape).toEqual([2, 4]);
    expect(d.eventShape).toEqual([3]);
  });

  it("validates with ppl's messages: rank, broadcasting, constraints (optional ones too)", () => {
    const rank = thrown(() => new Shifted(1, 1));
    expect(rank).toBeInstanceOf(PPLShapeError);
    expect(rank.message).toMatch(/^Shifted: parameter 'shift' must have shape \[\.\.\., D\], got \[\]/);
    const shapes = thrown(() => new PrecisionNormal(tf.zeros([3]), tf.ones([2])));
    expect(shapes).toBeInstanceOf(PPLShapeError);
    expect(shapes.message).toMatch(/^PrecisionNormal: parameter shapes do not broadcast: loc \[3\], precision \[2\]/);
    const bad = thrown(() => new PrecisionNormal(0, [1, -3]));
    expect(bad).toBeInstanceOf(PPLSupportError);
    expect(bad.message).toMatch(/^PrecisionNormal: parameter 'precision' must be positive, but element 1 is -3/);
    expect(thrown(() => new PrecisionNormal(0, 1, 0)).message).toMatch(/^PrecisionNormal: parameter 'weight' must be positive, but element 0 is 0/);
    setValidation(false);
    expect(() => new PrecisionNormal(0, -1)).not.toThrow();
    expect(() => new PrecisionNormal(tf.zeros([3]), tf.ones([2]))).toThrow(PPLShapeError);
  });

  it("keys a JS number by its value, a tensor by identity, and a subclass not at all", () => {
    const t = tf.scalar(2);
    const a = new PrecisionNormal(t, 1).batchKey()!;
    const b = new PrecisionNormal(t, 1).batchKey()!;
    expect(a.length).toBe(4);
    expect(a.every((k, i) => k === b[i])).toBe(true);
    expect(new PrecisionNormal(tf.scalar(2), 1).batchKey()![1]).not.toBe(a[1]);
    class Sub extends PrecisionNormal {}
    expect(new Sub(0, 1).batchKey()).toBeUndefined();
    // the library's families keep the same keys as before: [class, ...argument keys]
    expect(dist.Normal(0, 1).batchKey()).toEqual([dist.Normal(0, 1).constructor, 0, 1]);
  });
});
