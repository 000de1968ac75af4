/**
 * Decode a first-order chain from its unary and pairwise log-factors, in
 * float64 JS: the MAP path (Viterbi, max-product with back-pointers) or one
 * draw from the posterior over paths (forward filtering, backward sampling).
 *   unary [Bu, n, K], pair [Bp, n-1, K, K] (previous state first); Bu, Bp ∈ {1, B}
 * Returns the paths, [B, n] row-major.
 */
export interface ChainLayout {
  readonly B: number;
  readonly n: number;
  readonly K: number;
  readonly Bu: number;
  readonly Bp: number;
}

export type ChainMode = { readonly kind: "max" } | { readonly kind: "sample"; readonly rng: () => number };

export function decodeChain(L: ChainLayout, unary: ArrayLike<number>, pair: ArrayLike<number>, mode: ChainMode): Int32Array {
  const { B, n, K, Bu, Bp } = L;
  const paths = new Int32Array(B * n);
  const score = new Float64Array(n * K);
  const from = new Int32Array(n * K);
  for (let b = 0; b < B; b++) {
    const u = (Bu === 1 ? 0 : b) * n * K;
    const p = (Bp === 1 ? 0 : b) * (n - 1) * K * K;
    for (let k = 0; k < K; k++) score[k] = unary[u + k]!;
    for (let t = 1; t < n; t++) {
      for (let j = 0; j < K; j++) {
        // max (Viterbi) or log-sum-exp (forward filtering) over the previous state
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < K; i++) {
          const v = score[(t - 1) * K + i]! + pair[p + ((t - 1) * K + i) * K + j]!;
          if (v > best) [best, arg] = [v, i];
        }
        let acc = best;
        if (mode.kind === "sample" && best > -Infinity) {
          let s = 0;
          for (let i = 0; i < K; i++) s += Math.exp(score[(t - 1) * K + i]! + pair[p + ((t - 1) * K + i) * K + j]! - best);
          acc = best + Math.log(s);
        }
        score[t * K + j] = acc + unary[u + t * K + j]!;
        from[t * K + j] = arg;
      }
    }
    const row = b * n;
    paths[row + n - 1] = choose(mode, (k) => score[(n - 1) * K + k]!, K);
    for (let t = n - 2; t >= 0; t--) {
      const next = paths[row + t + 1]!;
      paths[row + t] = mode.kind === "max"
        ? from[(t + 1) * K + next]!
        : choose(mode, (i) => score[t * K + i]! + pair[p + (t * K + i) * K + next]!, K);
    }
  }
  return paths;
}

/** argmax, or a draw proportional to exp(logit). */
function choose(mode: ChainMode, logit: (k: number) => number, K: number): number {
  let m = -Infinity;
  let arg = 0;
  for (let k = 0; k < K; k++) {
    const v = logit(k);
    if (v > m) [m, arg] = [v, k];
  }
  if (mode.kind === "max" || m === -Infinity) return arg;
  let total = 0;
  for (let k = 0; k < K; k++) total += Math.exp(logit(k) - m);
  let r = mode.rng() * total;
  for (let k = 0; k < K; k++) {
    r -= Math.exp(logit(k) - m);
    if (r < 0) return k;
  }
  return K - 1;
}
