/** Best of several restarts: SVI from different seeds lands in different optima. */

/** Every restart, in order, and the one with the lowest final loss. */
export interface BestOfRestarts<R> {
  /** The run with the lowest `finalLoss` (the first of equals). */
  best: R;
  /** Every run, restart 0 first. */
  runs: R[];
}

/**
 * Run `run(0)`, …, `run(restarts - 1)` and keep the lowest `finalLoss`; ties go to the earlier restart.
 *
 * @example
 * const { best } = bestOfRestarts(3, (r) => learn(obs, K, { ...options, seed: options.seed + r }));
 */
export function bestOfRestarts<R extends { finalLoss: number }>(restarts: number, run: (restart: number) => R): BestOfRestarts<R> {
  const runs: R[] = [];
  for (let r = 0; r < restarts; r++) runs.push(run(r));
  const best = runs.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a));
  return { best, runs };
}
