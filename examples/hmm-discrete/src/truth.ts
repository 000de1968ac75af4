/**
 * The true parameters the data are generated from, and the generator, on
 * ppl's seeded RNG. K = 2 is the textbook weather HMM (Wikipedia's "Hidden
 * Markov model" example: a friend's daily walk / shop / clean tells you about
 * the weather where they live); K = 3 adds a cloudy day between the two and
 * makes the weather stickier, so three states stay identifiable from three symbols.
 */
import { drawIndex, sampleHmm } from "example-kit/sampling";
import { hashSeed, makeRng } from "ppl-core";

/** The observed categories, in their index order (0, 1, 2). */
export const SYMBOLS = ["walk", "shop", "clean"] as const;

/** Start, transition and emission probabilities: every row a simplex. */
export interface PlainParams {
  /** probsInit[k]: P(z_0 = k), length K. */
  probsInit: number[];
  /** probsTrans[i][j]: P(z_t = j | z_{t-1} = i), K × K. */
  probsTrans: number[][];
  /** probsEmit[k][v]: P(y_t = v | z_t = k), K × V (V = 3 symbols). */
  probsEmit: number[][];
}

/** A truth: its parameters and the names of its states, in state order. */
export interface Truth {
  params: PlainParams;
  names: readonly string[];
}

/** The true parameters for each supported number of hidden states. */
export const TRUTHS: Readonly<Record<2 | 3, Truth>> = {
  2: {
    names: ["rainy", "sunny"],
    params: {
      probsInit: [0.6, 0.4],
      probsTrans: [
        [0.7, 0.3],
        [0.4, 0.6],
      ],
      probsEmit: [
        [0.1, 0.4, 0.5],
        [0.6, 0.3, 0.1],
      ],
    },
  },
  3: {
    names: ["rainy", "cloudy", "sunny"],
    params: {
      probsInit: [0.4, 0.3, 0.3],
      probsTrans: [
        [0.8, 0.15, 0.05],
        [0.1, 0.8, 0.1],
        [0.05, 0.15, 0.8],
      ],
      probsEmit: [
        [0.1, 0.2, 0.7],
        [0.2, 0.7, 0.1],
        [0.7, 0.2, 0.1],
      ],
    },
  },
};

/** Sequences of symbols (`obs`, indices into SYMBOLS) and the hidden states that made them. */
export interface Dataset {
  obs: number[][];
  states: number[][];
}

/** `numSeqs` sequences of length T from the HMM with `params`, reproducible from `seed`. */
export function generate(numSeqs: number, T: number, seed: number, params: PlainParams): Dataset {
  const rng = makeRng(hashSeed("hmm-discrete/generate", seed));
  return sampleHmm(numSeqs, T, rng, params.probsInit, params.probsTrans, (z) => drawIndex(params.probsEmit[z]!, rng()));
}
