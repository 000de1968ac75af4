// The NILM metrics on hand-made cases whose values are worked out by hand in the comments.
import { describe, expect, it } from "vitest";
import { energyError, energyKwh, estimatedPower, onOffF1, stateAccuracy, teca } from "../src/metrics.js";

describe("NILM metrics", () => {
  it("state accuracy: the fraction of matching minutes", () => {
    expect(stateAccuracy([0, 1, 2, 0], [0, 1, 1, 1])).toBe(0.5);
    expect(() => stateAccuracy([0], [0, 1])).toThrowError(RangeError);
  });

  it("on/off F1: on is any state but 0", () => {
    // truth on at minutes 1, 2, 3; decoded on at 2, 3 (different on-states still count), 4: tp 2, fp 1, fn 1 → 4 / 6
    expect(onOffF1([0, 0, 2, 1, 1], [0, 1, 1, 2, 0])).toBeCloseTo(2 / 3, 12);
    expect(onOffF1([0, 0], [0, 0])).toBe(1);
    expect(onOffF1([0, 1], [0, 0])).toBe(0);
  });

  it("energy: kWh of one-minute kW readings and the relative error, floored at 0.01 kWh", () => {
    expect(energyKwh(new Array(60).fill(2))).toBeCloseTo(2, 12); // 2 kW for an hour
    expect(energyError(new Array(60).fill(1.5), new Array(60).fill(2))).toBeCloseTo(0.25, 12);
    // 0.001 kWh true, 0.002 estimated: |Δ| = 0.001 over the 0.01 floor
    expect(energyError([0.12], [0.06])).toBeCloseTo(0.001 / 0.01, 12);
  });

  it("TECA (Kolter & Johnson 2011): 1 − Σ|ŷ − y| / (2 Σ y)", () => {
    const truth = [[1, 1, 0], [0, 2, 2]];
    expect(teca(truth, truth)).toBe(1);
    // nothing assigned at all: Σ|ŷ − y| = Σ y = 6 → 1 − 6 / 12
    expect(teca([[0, 0, 0], [0, 0, 0]], truth)).toBeCloseTo(0.5, 12);
    expect(teca([[0, 0, 0], [1, 3, 2]], truth)).toBeCloseTo(1 - (2 + 2) / 12, 12);
    // swapping the two appliances' whole series: Σ|ŷ − y| = 1 + 1 + 2 + 1 + 1 + 2 = 8
    expect(teca([truth[1]!, truth[0]!], truth)).toBeCloseTo(1 - 8 / 12, 12);
  });

  it("estimated power is the learned level of the decoded state", () => {
    expect(estimatedPower([[0, 2, 1]], [[0, 0.1, 0.3]])).toEqual([[0, 0.3, 0.1]]);
  });
});
