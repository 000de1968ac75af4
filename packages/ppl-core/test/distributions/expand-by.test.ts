// Distribution.expandBy (Pyro's expand_by): sampleShape ++ batchShape, log-densities by closed form.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLShapeError, dist } from "ppl-core";

const normalLogPdf = (y: number, loc: number, scale: number) => -0.5 * ((y - loc) / scale) ** 2 - Math.log(scale) - 0.5 * Math.log(2 * Math.PI);

describe("expandBy", () => {
  it("prepends the sample shape to the batch shape; logProb broadcasts the parameters", () => {
    const locs = [0, 1, -2];
    const d = dist.Normal(tf.tensor1d(locs), 2).expandBy([2]);
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([]);
    const y = [[0.5, 1.5, -1], [-0.3, 0.2, 3]];
    const lp = Array.from(d.logProb(tf.tensor2d(y)).dataSync());
    const want = y.flatMap((row) => row.map((v, j) => normalLogPdf(v, locs[j]!, 2)));
    lp.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    expect(d.sample([4]).shape).toEqual([4, 2, 3]);
  });

  it("keeps the event shape of an Independent, and [] is the identity", () => {
    const base = dist.Normal(tf.zeros([3]), 1).toEvent(1);
    const d = base.expandBy([4, 2]);
    expect(d.batchShape).toEqual([4, 2]);
    expect(d.eventShape).toEqual([3]);
    const lp = d.logProb(tf.zeros([4, 2, 3]));
    expect(lp.shape).toEqual([4, 2]);
    expect(lp.dataSync()[0]).toBeCloseTo(3 * normalLogPdf(0, 0, 1), 5);
    expect(base.expandBy([])).toBe(base);
  });

  it("rejects sizes that are not non-negative integers", () => {
    expect(() => dist.Normal(0, 1).expandBy([1.5])).toThrow(PPLShapeError);
    expect(() => dist.Normal(0, 1).expandBy([-1])).toThrow(/Normal\.expandBy\(\[-1\]\): sizes must be non-negative integers/);
  });
});
