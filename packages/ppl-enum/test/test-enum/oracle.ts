/**
 * Float64 oracles for the ported test_enum cases, in plain JS numbers:
 * brute-force sums over every joint assignment of unrolled discrete
 * variables, exact expectations over guide-enumerated variables, and central
 * finite differences of such an oracle.
 */
import { assignments, logSumExp } from "../helpers.js";

export { assignments, logSumExp };
export const lg = Math.log;

/** log Σ_m exp(f(m)) over every assignment m of variables with these sizes (no variables: f([])). */
export function lse(sizes: readonly number[], f: (m: number[]) => number): number {
  const terms: number[] = [];
  for (const m of assignments(sizes)) terms.push(f(m));
  return logSumExp(terms);
}

/**
 * The exact expectation Σ_g q(g) f(g) over every assignment g of the
 * guide-enumerated variables; terms with q(g) = 0 contribute nothing
 * (Pyro's 0 · log 0 = 0).
 */
export function expect(sizes: readonly number[], logQ: (g: number[]) => number, f: (g: number[]) => number): number {
  let s = 0;
  for (const g of assignments(sizes)) {
    const lq = logQ(g);
    if (lq === -Infinity) continue;
    s += Math.exp(lq) * f(g);
  }
  return s;
}

/** Softmax of a vector of logits. */
export function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

export function normalLogPdf(x: number, mu: number, sd: number): number {
  const z = (x - mu) / sd;
  return -0.5 * z * z - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
}

/** log Bernoulli(p) at v ∈ {0, 1}, with log 0 = -Infinity. */
export function bernLog(p: number, v: number): number {
  return Math.log(v === 1 ? p : 1 - p);
}

/** KL(Bernoulli(q) || Bernoulli(p)), with 0 log 0 = 0. */
export function klBern(q: number, p: number): number {
  const t = (a: number, b: number) => (a === 0 ? 0 : a * Math.log(a / b));
  return t(q, p) + t(1 - q, 1 - p);
}

/** KL(Categorical(q) || Categorical(p)). */
export function klCat(q: readonly number[], p: readonly number[]): number {
  return q.reduce((s, qi, i) => s + (qi === 0 ? 0 : qi * Math.log(qi / p[i]!)), 0);
}

/** Central finite differences of a float64 function of a parameter vector. */
export function finiteDiff(f: (theta: number[]) => number, theta: readonly number[], eps = 1e-5): number[] {
  return theta.map((_, i) => {
    const at = (d: number) => f(theta.map((t, j) => (j === i ? t + d : t)));
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}
