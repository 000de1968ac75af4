// The house command's pipeline on the shipped AMPds2 week (data/ampds2-week,
// Makonin et al. 2016): trained on the first 4 days, tested on the last 3,
// at least as good as the best of the classical baselines (house-baselines.ts:
// NILMTK's CO, and NILMTK's exact FHMM with the unmetered rest as one
// Gaussian or as a 3-state HMM) on TECA and, separately, on mean F1, all
// scored with the same on thresholds. The exact decoder against a float64
// brute-force arg max over every joint path, and against inferDiscrete on
// the example's factorial markov model (the plan's factorial step).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exactMap } from "../src/exact.js";
import { disaggregateHouse } from "../src/house/disaggregate-house.js";
import { factorialMap } from "../src/house/factorial.js";
import { fitGaussianHmm } from "../src/house/gaussian-hmm.js";
import { readHouse } from "../src/house/house-csv.js";
import { scoreHouse } from "../src/house/house-metrics.js";
import type { FactorialPrior } from "../src/model.js";
import { combinatorialOptimisation, fhmmExact } from "./house-baselines.js";
import { bruteForce } from "./oracle.js";

const CSV = fileURLToPath(new URL("../../../data/ampds2-week/house.csv", import.meta.url));
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

describe("the exact decoder", () => {
  const data = week();
  const fit = (y: Float64Array) => fitGaussianHmm(y.subarray(0, 1440), 3, { iterations: 10 });
  const rest = data.mains.map((y, t) => y - data.appliances.reduce((s, a) => s + a[t]!, 0));
  const chains = [fit(data.appliances[1]!), fit(rest)];
  // the chains as the oracle's and the example model's plain arrays, meter noise 1 W
  const globals = { probsTrans: chains.map((c) => c.trans.map((r) => [...r])), locs: chains.map((c) => [...c.locs]), scales: chains.map((c) => [...c.scales]), noise: 1 };
  // a stretch where the heat pump starts
  const start = data.split + 540;

  it("equals the brute-force arg max over every joint path (heat pump + rest, 4 minutes)", () => {
    const y = Array.from(data.mains.subarray(start + 30, start + 34));
    const bf = bruteForce(y, globals, chains.map((c) => c.init));
    expect(factorialMap(y, chains)).toEqual(bf.best);
  });

  it("equals inferDiscrete on the example's factorial markov model (the planner's factorial step), 90 minutes", () => {
    const y = Array.from(data.mains.subarray(start, start + 90));
    const prior: FactorialPrior = {
      appliances: chains.map((c, m) => ({
        name: `chain ${m}`, probsInit: c.init, transConcentration: c.trans.map((r) => r.map(() => 1)),
        locLoc: c.locs, locScale: c.locs.map(() => 1), scaleMedian: c.scales, scaleSpread: 1,
      })),
      noiseMedian: 1,
      noiseSpread: 1,
    };
    const viaPpl = exactMap(y, prior, globals);
    expect(viaPpl).toEqual(factorialMap(y, chains));
    // the heat pump is found running
    expect(viaPpl[0]!.some((k) => chains[0]!.locs[k]! > 1000)).toBe(true);
  });
});
