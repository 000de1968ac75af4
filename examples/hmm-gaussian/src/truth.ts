/** The tutorial's true parameters and its data generator, on ppl's seeded RNG. */
import { sampleHmm } from "example-kit/sampling";
import { hashSeed, makeRng } from "ppl-core";

export const STATE_NAMES = ["low", "mid", "high"] as const;

export const TRUE_PARAMS = {
  probsInit: [0.5, 0.3, 0.2],
  probsTrans: [
    [0.8, 0.15, 0.05],
    [0.1, 0.8, 0.1],
    [0.05, 0.15, 0.8],
  ],
  locs: [0, 5, 10],
  scales: [0.7, 0.7, 0.7],
};

export type { PlainParams } from "ppl-hmm";
import type { PlainParams } from "ppl-hmm";

export interface Dataset {
  obs: number[][];
  states: number[][];
}

/** `numSeqs` sequences of length T from the HMM with `params`, reproducible from `seed`. */
export function generate(numSeqs: number, T: number, seed: number, params: PlainParams = TRUE_PARAMS): Dataset {
  const rng = makeRng(hashSeed("hmm-gaussian/generate", seed));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return sampleHmm(numSeqs, T, rng, params.probsInit, params.probsTrans, (z) => params.locs[z]! + params.scales[z]! * gauss());
}
