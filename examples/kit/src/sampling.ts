/** Drawing from a finite distribution, and sequences from an HMM, with the caller's own RNG (so generated data stay reproducible). */

/**
 * The index k where the running sum of `probs` first exceeds `u` (inverse CDF); the last index when
 * rounding leaves the sum below `u`.
 *
 * @param probs - probabilities summing to 1
 * @param u - a uniform draw in [0, 1)
 */
export function drawIndex(probs: readonly number[], u: number): number {
  let acc = 0;
  for (let k = 0; k < probs.length; k++) {
    acc += probs[k]!;
    if (u < acc) return k;
  }
  return probs.length - 1;
}

/** Sequences drawn from an HMM: observations and the hidden states that made them, one array per sequence. */
export interface HmmDraws {
  obs: number[][];
  states: number[][];
}

/**
 * `numSeqs` sequences of length `T` from a hidden Markov chain: z_0 from `probsInit`, z_t from row
 * z_{t-1} of `probsTrans`, and y_t = `emit(z_t)`, all from `rng`, in the order z_0, y_0, z_1, y_1, …
 * (so a generator keeps its data when it moves here).
 *
 * @param probsTrans - K×K, row i the distribution of the next state after state i
 * @param emit - one observation in state z, drawn with the same `rng`
 */
export function sampleHmm(
  numSeqs: number,
  T: number,
  rng: () => number,
  probsInit: readonly number[],
  probsTrans: readonly (readonly number[])[],
  emit: (z: number) => number,
): HmmDraws {
  const obs: number[][] = [];
  const states: number[][] = [];
  for (let s = 0; s < numSeqs; s++) {
    const zs: number[] = [];
    const ys: number[] = [];
    let z = drawIndex(probsInit, rng());
    for (let t = 0; t < T; t++) {
      if (t > 0) z = drawIndex(probsTrans[z]!, rng());
      zs.push(z);
      ys.push(emit(z));
    }
    obs.push(ys);
    states.push(zs);
  }
  return { obs, states };
}
