/**
 * A float64 oracle for tiny factorial HMMs, written from the model's
 * definition and nothing of ppl: the log prior of the globals, and the joint
 * log density of every hidden path enumerated one by one (K^(M·T) of them),
 * summed (the marginal likelihood) or maximised (the MAP path).
 */
import type { FactorialPrior } from "../src/model.js";

export interface TinyGlobals {
  /** [M][K][K] */
  probsTrans: number[][][];
  /** [M][K] */
  locs: number[][];
  /** [M][K] */
  scales: number[][];
  noise: number;
}

export interface TinyPrior {
  probsInit: number[][];
  transConcentration: number[][][];
  locLoc: number[][];
  locScale: number[][];
  scaleMedian: number[][];
  scaleSpread: number;
  noiseMedian: number;
  noiseSpread: number;
}

/** The catalogue prior's numbers as the oracle's plain arrays. */
export function tinyPrior(p: FactorialPrior): TinyPrior {
  const a = p.appliances;
  return {
    probsInit: a.map((x) => [...x.probsInit]),
    transConcentration: a.map((x) => x.transConcentration.map((r) => [...r])),
    locLoc: a.map((x) => [...x.locLoc]),
    locScale: a.map((x) => [...x.locScale]),
    scaleMedian: a.map((x) => [...x.scaleMedian]),
    scaleSpread: a[0]!.scaleSpread,
    noiseMedian: p.noiseMedian,
    noiseSpread: p.noiseSpread,
  };
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Lanczos (g = 7, n = 9) log Γ(x), x > 0; |error| < 1e-13 on the range the tests use. */
export function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * LOG_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export const logNormal = (x: number, m: number, s: number) => -0.5 * LOG_2PI - Math.log(s) - 0.5 * ((x - m) / s) ** 2;
const logLogNormal = (x: number, mu: number, s: number) => logNormal(Math.log(x), mu, s) - Math.log(x);
function logDirichlet(p: number[], a: number[]): number {
  const sum = a.reduce((u, v) => u + v, 0);
  return lgamma(sum) - a.reduce((u, v) => u + lgamma(v), 0) + p.reduce((u, v, i) => u + (a[i]! - 1) * Math.log(v), 0);
}

/** log p(globals) under the prior. */
export function logPrior(g: TinyGlobals, p: TinyPrior): number {
  let lp = logLogNormal(g.noise, Math.log(p.noiseMedian), p.noiseSpread);
  g.locs.forEach((_, m) => {
    g.probsTrans[m]!.forEach((row, i) => (lp += logDirichlet(row, p.transConcentration[m]![i]!)));
    g.locs[m]!.forEach((l, k) => (lp += logNormal(l, p.locLoc[m]![k]!, p.locScale[m]![k]!)));
    g.scales[m]!.forEach((s, k) => (lp += logLogNormal(s, Math.log(p.scaleMedian[m]![k]!), p.scaleSpread)));
  });
  return lp;
}

/** log p(z, y | globals) of one joint path z [M][T]. */
export function logPath(y: readonly number[], z: readonly (readonly number[])[], g: TinyGlobals, probsInit: readonly (readonly number[])[]): number {
  let lp = 0;
  for (let t = 0; t < y.length; t++) {
    let mean = 0;
    let v = g.noise ** 2;
    z.forEach((zm, m) => {
      lp += Math.log(t === 0 ? probsInit[m]![zm[0]!]! : g.probsTrans[m]![zm[t - 1]!]![zm[t]!]!);
      mean += g.locs[m]![zm[t]!]!;
      v += g.scales[m]![zm[t]!]! ** 2;
    });
    lp += logNormal(y[t]!, mean, Math.sqrt(v));
  }
  return lp;
}

/** Every joint path of M chains with K states over T steps, as [M][T] arrays. */
export function* allPaths(M: number, T: number, K: number): Generator<number[][]> {
  const n = M * T;
  const digits = new Array<number>(n).fill(0);
  for (;;) {
    yield Array.from({ length: M }, (_, m) => digits.slice(m * T, (m + 1) * T));
    let i = 0;
    while (i < n && ++digits[i]! === K) digits[i++] = 0;
    if (i === n) return;
  }
}

/** log Σ over paths of p(z, y | globals), and the arg-max path. */
export function bruteForce(y: readonly number[], g: TinyGlobals, probsInit: readonly (readonly number[])[]): { logMarginal: number; best: number[][]; bestLogJoint: number } {
  const M = g.locs.length;
  const K = g.locs[0]!.length;
  let max = -Infinity;
  let best: number[][] = [];
  const lps: number[] = [];
  for (const z of allPaths(M, y.length, K)) {
    const lp = logPath(y, z, g, probsInit);
    lps.push(lp);
    if (lp > max) {
      max = lp;
      best = z;
    }
  }
  const logMarginal = max + Math.log(lps.reduce((s, lp) => s + Math.exp(lp - max), 0));
  return { logMarginal, best, bestLogJoint: max };
}
