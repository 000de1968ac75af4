/**
 * Float64 references for the hmm.py family, written from the models'
 * definitions and nothing else: densities, a brute-force sum over every
 * hidden path of each sequence (only its own steps: past its length a
 * sequence is masked out), and central finite differences.
 */

/** A tiny data set: 2 sequences of lengths 3 and 2 (max 3), 3 tones; the short one is zero-padded. */
export const TINY = {
  sequences: [
    [[1, 0, 1], [0, 1, 1], [1, 1, 0]],
    [[0, 0, 1], [1, 0, 0], [0, 0, 0]],
  ],
  lengths: [3, 2],
  tones: 3,
};
export type Instance = typeof TINY;

export function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7, with the reflection formula below 1/2). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function logDirichlet(p: readonly number[], alpha: readonly number[]): number {
  const a0 = alpha.reduce((s, a) => s + a, 0);
  return lgamma(a0) + alpha.reduce((s, a, i) => s - lgamma(a) + (a - 1) * Math.log(p[i]!), 0);
}

export function logBetaPdf(p: number, a: number, b: number): number {
  return (a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) - (lgamma(a) + lgamma(b) - lgamma(a + b));
}

/** log Bernoulli(y | probs p). */
export function logBern(y: number, p: number): number {
  return y === 1 ? Math.log(p) : Math.log1p(-p);
}

/** log Bernoulli(y | logits l) = y·l − log(1 + e^l). */
export function logBernLogits(y: number, l: number): number {
  const softplus = l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
  return y * l - softplus;
}

/** torch's Categorical(probs): the row normalised (a no-op on the simplex, but it fixes the off-simplex gradient). */
export function logCat(row: readonly number[], k: number): number {
  return Math.log(row[k]!) - Math.log(row.reduce((a, b) => a + b, 0));
}

/** hmm.py's transition prior for one row r of a hidden × hidden table: Dirichlet(0.9·e_r + 0.1). */
export function logTransitionPrior(row: readonly number[], r: number): number {
  return logDirichlet(row, row.map((_, k) => (k === r ? 1.0 : 0.1)));
}

/** Every path of `length` steps through `states` states (row-major). */
export function* paths(length: number, states: number): Generator<number[]> {
  const total = states ** length;
  for (let c = 0; c < total; c++) {
    const p = new Array<number>(length);
    let rem = c;
    for (let t = length - 1; t >= 0; t--) {
      p[t] = rem % states;
      rem = Math.floor(rem / states);
    }
    yield p;
  }
}

/** Σ over sequences of log Σ over every path of that sequence's own length of exp(logJoint(path, sequence)). */
export function bruteForce(
  inst: Instance,
  states: number,
  logJoint: (path: readonly number[], y: readonly (readonly number[])[]) => number,
): number {
  let total = 0;
  inst.sequences.forEach((seq, n) => {
    const y = seq.slice(0, inst.lengths[n]!);
    const terms: number[] = [];
    for (const p of paths(y.length, states)) terms.push(logJoint(p, y));
    total += logSumExp(terms);
  });
  return total;
}

/** Central finite differences of f at theta (float64). */
export function finiteDiff(f: (theta: number[]) => number, theta: readonly number[], eps = 1e-6): number[] {
  return theta.map((_, i) => {
    const at = (d: number) => f(theta.map((v, j) => (j === i ? v + d : v)));
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}

/** Row-major reshape of a flat array. */
export function rows(flat: readonly number[], width: number): number[][] {
  return Array.from({ length: flat.length / width }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

/** A seeded stream of numbers in [0, 1) (for fixed test values). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n rows of width k on the simplex, away from its edges. */
export function simplexRows(n: number, k: number, rand: () => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: k }, () => 0.3 + rand());
    const s = r.reduce((a, b) => a + b, 0);
    out.push(...r.map((v) => v / s));
  }
  return out;
}

/** Remove each row's mean over its last dim: the part of a gradient that lies along the simplex. */
export function tangent(g: readonly number[], width: number): number[] {
  return rows(g, width).flatMap((r) => {
    const m = r.reduce((a, b) => a + b, 0) / width;
    return r.map((v) => v - m);
  });
}
