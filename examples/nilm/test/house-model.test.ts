// The house decoder (ppl-hmm disaggregate's factorialMap: the model's terms
// in float64, ppl-core's factorial kernel) on stretches of the shipped AMPds2
// week: against a float64 brute-force arg max over every joint path
// (oracle.ts), and against inferDiscrete on this example's factorial model
// (both forms) with the rest as one more chain (the planner's time chain).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { factorialMap, factorialMarginalModes, fitGaussianHmm } from "ppl-hmm";
import { inferDiscreteMap } from "../src/exact.js";
import type { FactorialPrior } from "../src/model.js";
import { allPaths, bruteForce, logNormal } from "./oracle.js";

const CSV = fileURLToPath(new URL("../../../data/ampds2-week/house.csv", import.meta.url));

/** The week's columns as numbers. */
function week(): Record<string, Float64Array> {
  const [head, ...rows] = readFileSync(CSV, "utf8").trim().split("\n");
  const names = head!.split(",");
  const cells = rows.map((r) => r.split(","));
  return Object.fromEntries(names.slice(1).map((n, i) => [n, Float64Array.from(cells, (c) => Number(c[i + 1]))]));
}

describe("the exact decoder", () => {
  const w = week();
  const mains = w.mains!;
  const subs = ["fridge", "heat_pump", "dishwasher", "basement_lights_plugs"].map((n) => w[n]!);
  const fit = (y: Float64Array) => fitGaussianHmm(y.subarray(0, 1440), 3);
  const rest = mains.map((y, t) => y - subs.reduce((s, a) => s + a[t]!, 0));
  const chains = [fit(subs[1]!), fit(rest)];
  // the chains as the oracle's and the example model's plain arrays, meter noise 1 W
  const globals = { probsTrans: chains.map((c) => c.trans.map((r) => [...r])), locs: chains.map((c) => [...c.locs]), scales: chains.map((c) => [...c.scales]), noise: 1 };
  // a stretch where the heat pump starts
  const start = 5760 + 540;

  it("equals the brute-force arg max over every joint path (heat pump + rest, 4 minutes)", () => {
    const y = Array.from(mains.subarray(start + 30, start + 34));
    const bf = bruteForce(y, globals, chains.map((c) => c.init));
    expect(factorialMap(y, chains)).toEqual(bf.best);
  });

  it("gives each chain's most probable state at every minute, the meter read at weight 0.2 (against a float64 sum over every joint path, 5 minutes)", () => {
    const y = Array.from(mains.subarray(start + 29, start + 34));
    const w = 0.2;
    const K = 3;
    const marg = chains.map(() => new Float64Array(y.length * K));
    for (const z of allPaths(2, y.length, K)) {
      let lp = 0;
      for (let t = 0; t < y.length; t++) {
        let mean = 0;
        let v = 1;
        z.forEach((zm, m) => {
          lp += Math.log(t === 0 ? chains[m]!.init[zm[0]!]! : chains[m]!.trans[zm[t - 1]!]![zm[t]!]!);
          mean += chains[m]!.locs[zm[t]!]!;
          v += chains[m]!.scales[zm[t]!]! ** 2;
        });
        lp += w * logNormal(y[t]!, mean, Math.sqrt(v));
      }
      z.forEach((zm, m) => zm.forEach((k, t) => (marg[m]![t * K + k]! += Math.exp(lp))));
    }
    const modes = marg.map((p) => y.map((_, t) => [0, 1, 2].reduce((b, k) => (p[t * K + k]! > p[t * K + b]! ? k : b), 0)));
    expect(factorialMarginalModes(y, chains, w)).toEqual(modes);
  });

  it("equals inferDiscrete on the example's factorial model, written with vectorizedMarkov and as a markov loop (the planner's time chain), 90 minutes", () => {
    const y = Array.from(mains.subarray(start, start + 90));
    const prior: FactorialPrior = {
      appliances: chains.map((c, m) => ({
        name: `chain ${m}`, probsInit: c.init, transConcentration: c.trans.map((r) => r.map(() => 1)),
        locLoc: c.locs, locScale: c.locs.map(() => 1), scaleMedian: c.scales, scaleSpread: 1,
      })),
      noiseMedian: 1,
      noiseSpread: 1,
    };
    const truth = factorialMap(y, chains);
    // the heat pump is found running
    expect(truth[0]!.some((k) => chains[0]!.locs[k]! > 1000)).toBe(true);
    for (const form of ["vectorized", "loop"] as const) expect(inferDiscreteMap(y, prior, globals, form), form).toEqual(truth);
  });
});
