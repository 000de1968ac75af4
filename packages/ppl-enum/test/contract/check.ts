/** Assertions shared by the contraction tests: ppl's plan, per ring, against the unrolled float64 oracle. */
import { expect } from "vitest";
import { evaluate, jointMarginal, logZ, maxAssignment } from "./oracle.js";
import { type Problem, perturbed, rng, unroll } from "./problem.js";
import { logGrad, logTotal, mapDecode, sampleDraws } from "./run.js";

/** float32 contraction against float64: relative 2e-6 plus an absolute floor. */
export const close = (actual: number, expected: number, tol = 2e-6) =>
  Math.abs(actual - expected) <= tol * Math.abs(expected) + 5e-5;

function expectClose(actual: number, expected: number, what: string, tol?: number): void {
  if (!close(actual, expected, tol)) expect.fail(`${what}: ppl ${actual}, oracle ${expected}`);
}

/** Log ring: Σ of the roots equals log Σ exp of the unrolled problem; roots are over plates only. */
export function checkLog(p: Problem, fuseChains = false): number {
  const expected = logZ(unroll(p).flat);
  const { total, rootDims } = logTotal(p, fuseChains);
  for (const dims of rootDims) for (const d of dims) expect(p.plates.has(d), `root dim ${d} is a plate`).toBe(true);
  expectClose(total, expected, `log total (fuseChains ${fuseChains})`);
  return expected;
}

/** Max ring: the max total, and the decoded assignment attains it in float64. */
export function checkMax(p: Problem, fuseChains = false): void {
  const u = unroll(p);
  const best = maxAssignment(u.flat).value;
  const { total, assignment } = mapDecode(p, u, fuseChains);
  expectClose(total, best, `max total (fuseChains ${fuseChains})`);
  expectClose(evaluate(u.flat, assignment), best, `value of the decoded MAP assignment (fuseChains ${fuseChains})`);
}

/**
 * Sample ring: draw `n` joint samples; when the unrolled problem has at most
 * `jointLimit` states, every joint state's frequency is within 4σ of its exact
 * posterior probability; otherwise each flat variable's marginal and each
 * pair of flat variables sharing a factor (the dependence backward sampling
 * must get right).
 */
export function checkSample(p: Problem, seed: number, n = 4000, jointLimit = 256, fuseChains = false): void {
  const u = unroll(p);
  const flat = u.flat;
  const draws = sampleDraws(p, u, n, rng(seed), fuseChains);
  const total = logZ(flat);
  const within = (count: number, prob: number, what: string) => {
    const f = count / n;
    const sd = Math.sqrt((prob * (1 - prob)) / n);
    // 4σ, plus a few counts of slack for rare states (where the normal approximation is poor) and float32 logits
    if (Math.abs(f - prob) > 4 * sd + 3 / n + 1e-3) expect.fail(`${what}: frequency ${f} of ${n}, exact ${prob}`);
  };
  const states = flat.sizes.reduce((a, b) => a * b, 1);
  const groups: number[][] = [];
  if (states <= jointLimit) groups.push(flat.sizes.map((_, i) => i));
  else {
    flat.sizes.forEach((s, i) => s > 1 && groups.push([i]));
    const pairs = new Set<string>();
    for (const f of flat.factors) {
      const vs = f.vars.filter((v) => flat.sizes[v]! > 1);
      for (let a = 0; a < vs.length; a++) for (let b = a + 1; b < vs.length; b++) pairs.add(`${vs[a]},${vs[b]}`);
    }
    for (const pr of [...pairs].slice(0, 12)) groups.push(pr.split(",").map(Number));
  }
  for (const g of groups) {
    const exact = jointMarginal(flat, g, total);
    const sizes = g.map((v) => flat.sizes[v]!);
    const counts = new Float64Array(exact.length);
    for (const d of draws) counts[g.reduce((acc, v, i) => acc * sizes[i]! + d[v]!, 0)]! += 1;
    exact.forEach((prob, k) => within(counts[k]!, prob, `flat vars [${g.join(",")}] state ${k}`));
  }
}

/** Log ring gradient w.r.t. every factor value against central finite differences of the oracle. */
export function checkGrad(p: Problem, fuseChains = false): void {
  const grads = logGrad(p, fuseChains);
  const h = 1e-5;
  p.factors.forEach((f, fi) => {
    // ppl's factor drops size-1 axes, which does not change the row-major order of the values
    expect(grads[fi]!.length).toBe(f.values.length);
    for (let e = 0; e < f.values.length; e++) {
      const fd = (logZ(unroll(perturbed(p, fi, e, h)).flat) - logZ(unroll(perturbed(p, fi, e, -h)).flat)) / (2 * h);
      if (Math.abs(grads[fi]![e]! - fd) > 1e-4 * (1 + Math.abs(fd))) {
        expect.fail(`d total / d factor ${fi} [${e}] (fuseChains ${fuseChains}): ppl ${grads[fi]![e]}, finite difference ${fd}`);
      }
    }
  });
}

/**
 * Pyro's contract_to_tensor query (target variables in a target ordinal),
 * answered by the sample ring: for every index of the target plates, the
 * joint frequency of the targets' copies at that index is within 4σ of the
 * exact posterior.
 */
export function checkTarget(p: Problem, targets: readonly string[], targetOrdinal: readonly string[], seed: number, n = 4000): void {
  const u = unroll(p);
  const draws = sampleDraws(p, u, n, rng(seed));
  const ord = [...targetOrdinal].sort();
  const ordSizes = ord.map((pl) => p.sizes.get(pl)!);
  const count = ordSizes.reduce((a, b) => a * b, 1);
  const total = logZ(u.flat);
  for (let c = 0; c < count; c++) {
    let rem = c;
    const idx = new Map<string, number>();
    for (let i = ord.length - 1; i >= 0; i--) {
      idx.set(ord[i]!, rem % ordSizes[i]!);
      rem = Math.floor(rem / ordSizes[i]!);
    }
    const group = targets.map((v) => {
      const cp = u.copies.get(v)!;
      for (const pl of cp.plates) if (!ord.includes(pl)) throw new Error(`target '${v}' varies along ${pl}, outside the target ordinal`);
      return cp.ids[cp.plates.reduce((acc, pl) => acc * p.sizes.get(pl)! + idx.get(pl)!, 0)]!;
    });
    const exact = jointMarginal(u.flat, group, total);
    const sizes = group.map((v) => u.flat.sizes[v]!);
    const counts = new Float64Array(exact.length);
    for (const d of draws) counts[group.reduce((acc, v, i) => acc * sizes[i]! + d[v]!, 0)]! += 1;
    exact.forEach((prob, k) => {
      const f = counts[k]! / n;
      if (Math.abs(f - prob) > 4 * Math.sqrt((prob * (1 - prob)) / n) + 3 / n + 1e-3) {
        expect.fail(`targets ${targets.join(",")} at plate index ${c}, state ${k}: frequency ${f}, exact ${prob}`);
      }
    });
  }
}
