/** Drawing from a finite distribution with a uniform from the caller's own RNG (so generated data stay reproducible). */

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
