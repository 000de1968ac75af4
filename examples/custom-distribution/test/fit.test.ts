// Runs the code of docs/writing-a-distribution.md and checks that SVI recovers
// the parameters the data were simulated from, so the guide cannot rot.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLSupportError } from "ppl-core";
import { fit } from "../src/fit.js";
import { ZeroInflatedPoisson } from "../src/zero-inflated-poisson.js";

describe("ZeroInflatedPoisson (a user-written distribution)", () => {
  it("its pmf sums to 1 and matches the closed form", () => {
    const d = new ZeroInflatedPoisson(0.25, 2);
    const ks = Array.from({ length: 40 }, (_, k) => k);
    const p = Array.from(tf.tidy(() => d.logProb(tf.tensor1d(ks)).exp().dataSync()));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p[0]!).toBeCloseTo(0.25 + 0.75 * Math.exp(-2), 6);
    expect(p[3]!).toBeCloseTo((0.75 * Math.exp(-2) * 8) / 6, 6);
  });

  it("validates its parameters with errors that name it", () => {
    expect(() => new ZeroInflatedPoisson(1.5, 2)).toThrow(PPLSupportError);
    expect(() => new ZeroInflatedPoisson(0.2, -1)).toThrow(/^ZeroInflatedPoisson: parameter 'rate' must be positive/);
  });

  it("SVI recovers the gate and the rate it was simulated from", () => {
    const r = fit();
    // 2000 counts: the MLE's standard errors are about 0.012 (gate) and 0.05 (rate)
    expect(Math.abs(r.gate - r.truth.gate)).toBeLessThan(0.05);
    expect(Math.abs(r.rate - r.truth.rate)).toBeLessThan(0.25);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
  });
});
