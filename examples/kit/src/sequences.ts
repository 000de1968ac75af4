/** Sequences of different lengths, and scoring a decoded state path. */

/**
 * `each(group, T)` on every group of equally long sequences (a model runs one rectangular batch per
 * length), its results put back in the input's order.
 *
 * @param ys - the sequences, any lengths
 * @param each - maps the sequences of length T, in input order, to one result each
 * @returns one result per sequence of `ys`, in its order
 */
export function mapByLength<Y extends { readonly length: number }, R>(ys: readonly Y[], each: (group: Y[], T: number) => R[]): R[] {
  const out: R[] = new Array<R>(ys.length);
  const byLength = new Map<number, number[]>();
  ys.forEach((y, i) => byLength.set(y.length, [...(byLength.get(y.length) ?? []), i]));
  for (const [T, members] of byLength) {
    const results = each(members.map((i) => ys[i]!), T);
    members.forEach((i, s) => (out[i] = results[s]!));
  }
  return out;
}

/** The fraction of time steps where `decoded` equals `truth` (over `truth`'s length). */
export function accuracy(decoded: readonly number[], truth: readonly number[]): number {
  let hits = 0;
  decoded.forEach((z, t) => {
    if (z === truth[t]) hits++;
  });
  return hits / truth.length;
}
