/**
 * Label switching: a learned state k is any true state. With a truth to
 * compare against, the learned states are put in the order of the true
 * state each one's emission row is closest to, over all K! permutations
 * (K ≤ 3 here; 6 orders at most).
 */
import type { PlainParams } from "./truth.js";

/** Every permutation of 0..K-1. */
export function permutations(K: number): number[][] {
  if (K === 0) return [[]];
  return permutations(K - 1).flatMap((p) => Array.from({ length: K }, (_, i) => [...p.slice(0, i), K - 1, ...p.slice(i)]));
}

/** Σ over states of the squared distance between the emission rows of `learned` state order[k] and true state k. */
function emissionDistance(learned: PlainParams, truth: PlainParams, order: readonly number[]): number {
  let d = 0;
  truth.probsEmit.forEach((row, k) => row.forEach((p, v) => (d += (learned.probsEmit[order[k]!]![v]! - p) ** 2)));
  return d;
}

/** The order (learned state for each true state) that best matches the emissions to the truth's. */
export function bestOrder(learned: PlainParams, truth: PlainParams): number[] {
  const K = truth.probsInit.length;
  if (learned.probsInit.length !== K) throw new RangeError(`relabel: the learned model has ${learned.probsInit.length} states, the truth ${K}`);
  let best = permutations(K)[0]!;
  let bestD = Infinity;
  for (const order of permutations(K)) {
    const d = emissionDistance(learned, truth, order);
    if (d < bestD) [best, bestD] = [order, d];
  }
  return best;
}

/** `p` with its states reordered: new state k is old state order[k]. */
export function reorder(p: PlainParams, order: readonly number[]): PlainParams {
  return {
    probsInit: order.map((k) => p.probsInit[k]!),
    probsTrans: order.map((i) => order.map((j) => p.probsTrans[i]![j]!)),
    probsEmit: order.map((k) => [...p.probsEmit[k]!]),
  };
}

/** `learned` relabelled to match `truth` (see {@link bestOrder}). */
export function relabel(learned: PlainParams, truth: PlainParams): PlainParams {
  return reorder(learned, bestOrder(learned, truth));
}
