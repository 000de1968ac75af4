// ppl-hmm disaggregate's pipeline on the shipped AMPds2 week (data/ampds2-week,
// Makonin et al. 2016): trained on the first 4 days, tested on the last 3,
// at least as good as the best of the classical baselines (baselines.ts:
// NILMTK's CO, and NILMTK's exact FHMM with the unmetered rest as one
// Gaussian or as a 3-state HMM) on TECA and, separately, on mean F1, all
// scored with the same on thresholds. (The decoder against brute force and
// against inferDiscrete's factorial step: examples/nilm/test/house-model.test.ts.)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { disaggregateHouse } from "../../src/disaggregate/disaggregate-house.js";
import { readHouse } from "../../src/disaggregate/house-csv.js";
import { scoreHouse } from "../../src/disaggregate/house-metrics.js";
import { combinatorialOptimisation, fhmmExact } from "./baselines.js";

const CSV = fileURLToPath(new URL("../../../../data/ampds2-week/house.csv", import.meta.url));
const NAMES = ["fridge", "heat_pump", "dishwasher", "basement_lights_plugs"];
const week = () => readHouse(readFileSync(CSV, "utf8"), "house.csv", { mains: "mains", appliances: NAMES, trainUntil: "2013-11-25T00:00:00-08:00" });

describe("disaggregating the shipped AMPds2 week", () => {
  it("is at least as good as the best baseline on TECA and, separately, on mean F1", () => {
    const data = week();
    expect([data.split, data.mains.length, data.stepSeconds, data.testHasTruth]).toEqual([5760, 10080, 60, true]);
    const run = disaggregateHouse(data, { names: NAMES, states: {}, maxStates: 3, residualStates: 10, onThresholds: {}, inference: "exact" });
    const ours = run.metrics!;
    const train = data.appliances.map((a) => Array.from(a.subarray(0, data.split)));
    const truth = data.appliances.map((a) => Array.from(a.subarray(data.split)));
    const mains = Array.from(data.mains.subarray(data.split));
    const rest = Array.from(data.mains.subarray(0, data.split), (y, t) => y - train.reduce((s, a) => s + a[t]!, 0));
    const score = (est: number[][]) => scoreHouse(NAMES, est, truth, run.thresholds, 60);
    const baselines = {
      co: score(combinatorialOptimisation(train, mains)),
      fhmmGaussian: score(fhmmExact(train, rest, mains, "gaussian")),
      fhmmHmm3: score(fhmmExact(train, rest, mains, "hmm3")),
    };
    const all = Object.values(baselines);
    expect(ours.teca).toBeGreaterThanOrEqual(Math.max(...all.map((b) => b.teca)));
    expect(ours.meanF1).toBeGreaterThanOrEqual(Math.max(...all.map((b) => b.meanF1)));
    expect(ours.zeroTeca).toBe(0.5);
    // the README's table: these methods, these numbers
    expect([ours.teca, ours.meanF1].map((x) => x.toFixed(3))).toEqual(["0.683", "0.481"]);
    expect(all.map((b) => [b.teca.toFixed(3), b.meanF1.toFixed(3)])).toEqual([["-0.362", "0.323"], ["0.671", "0.360"], ["0.383", "0.372"]]);
  });
});
