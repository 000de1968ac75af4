// Both workflows recover the household's actual levels (the catalogue's
// jittered by ±10 %: the truth the generator drew from, not the prior's
// centre) and meter noise from half a day of data; the unsupervised one from
// the mains alone. And the refusal of unsupervised learning beyond the rank.
import { describe, expect, it } from "vitest";
import { appliances } from "../src/catalogue.js";
import { generate, householdParams } from "../src/data.js";
import { learnSupervised, learnUnsupervised } from "../src/learn.js";
import { cataloguePrior } from "../src/model.js";

const types = appliances(2); // fridge, kettle
const truth = householdParams(types, 5);
const day = generate(truth, 720, 5);
const prior = cataloguePrior(types);
/** The states each appliance visited (an unvisited level is only the prior's). */
const visited = day.states.map((z) => [...new Set(z)]);

function expectLevels(locs: number[][]) {
  visited.forEach((ks, m) => {
    for (const k of ks) expect(Math.abs(locs[m]![k]! - truth[m]!.locs[k]!), `${types[m]!.name} state ${k}`).toBeLessThan(0.005 + 0.02 * truth[m]!.locs[k]!);
  });
}

describe("learning", () => {
  it("supervised: each appliance from its sub-meter, the noise from the rest of the mains", () => {
    expect(visited.every((ks) => ks.length >= 2)).toBe(true);
    const { globals, compileStats } = learnSupervised(day.power, day.mains, prior, { steps: 60, lr: 0.01, seed: 0 });
    expectLevels(globals.locs);
    // each appliance's fit ran compiled: step 1 made the params and recorded, the other 59 replayed
    expect(compileStats).toEqual(types.map(() => ({ recorded: 1, replayed: 59, interpreted: 0 })));
    expect(globals.noise).toBeGreaterThan(0.008);
    expect(globals.noise).toBeLessThan(0.012);
  });

  it("unsupervised: levels and noise from the mains alone (TraceEnumELBO on the factorial model)", () => {
    const { globals, losses } = learnUnsupervised(day.mains, prior, { steps: 60, lr: 0.01, seed: 0 });
    expectLevels(globals.locs);
    expect(globals.noise).toBeGreaterThan(0.006);
    expect(globals.noise).toBeLessThan(0.015);
    expect(losses[0]!.at(-1)!).toBeLessThan(losses[0]![0]!);
  });
});
