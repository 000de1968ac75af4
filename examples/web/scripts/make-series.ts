/**
 * Writes the page's bundled example series/three-levels.csv (one column,
 * `level`) and series/three-levels.truth.json (the parameters and hidden
 * states that made it, which the browser test compares the fit with).
 * Reproducible: the same seed gives the same files.
 *
 *   pnpm --filter web exec tsx scripts/make-series.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sampleHmm } from "example-kit/sampling";
import { hashSeed, makeRng } from "ppl-core";
import { here } from "./build.js";

export const TRUTH = {
  probsInit: [0.6, 0.3, 0.1],
  probsTrans: [
    [0.97, 0.02, 0.01],
    [0.02, 0.96, 0.02],
    [0.01, 0.03, 0.96],
  ],
  locs: [2, 5, 9],
  scales: [0.6, 0.8, 0.7],
};

const T = 800;
const rng = makeRng(hashSeed("examples/web/three-levels", 1));
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const { obs, states } = sampleHmm(1, T, rng, TRUTH.probsInit, TRUTH.probsTrans, (z) => TRUTH.locs[z]! + TRUTH.scales[z]! * gauss());
const values = obs[0]!.map((v) => Number(v.toFixed(4)));
writeFileSync(join(here, "series", "three-levels.csv"), ["level", ...values.map(String)].join("\n") + "\n");
writeFileSync(join(here, "series", "three-levels.truth.json"), JSON.stringify({ ...TRUTH, states: states[0] }) + "\n");
console.log(`wrote series/three-levels.csv (${T} values) and its truth`);
