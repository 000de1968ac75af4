// The chain kernel (ops/chain-kernel.ts, ops/chain-op.ts) against a float64
// brute force over every path: log Z, posterior marginals, the tf op's
// gradient against finite differences of the brute force, the Viterbi argmax,
// and FFBS draw frequencies against the exact path posterior (chi-square).
// Layouts: Tp = 1 and Tp = n-1, Bu and Bp broadcasting, -Infinity entries.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLShapeError, makeRng } from "ppl-core";
import { type ChainLayout, chainForward, chainLayout, chainPosteriors, chainSample, chainViterbi } from "../../src/ops/chain-kernel.js";
import { chainLogSumExp } from "../../src/ops/chain-op.js";

interface Problem {
  L: ChainLayout;
  unary: number[];
  pair: number[];
}

function problem(B: number, n: number, K: number, Bu: number, Bp: number, Tp: number, seed: number, negInf = 0): Problem {
  const rng = makeRng(seed);
  const draw = (m: number) => Array.from({ length: m }, () => (rng() < negInf ? -Infinity : 3 * (rng() - 0.5)));
  return { L: { B, n, K, Bu, Bp, Tp }, unary: draw(Bu * n * K), pair: draw(Bp * Tp * K * K) };
}

/** Every path of sequence b with its log score (float64). */
function paths(p: Problem, b: number): { path: number[]; lp: number }[] {
  const { n, K, Bu, Bp, Tp } = p.L;
  const u = (t: number, k: number) => p.unary[((Bu === 1 ? 0 : b) * n + t) * K + k]!;
  const q = (t: number, i: number, j: number) => p.pair[(((Bp === 1 ? 0 : b) * Tp + (Tp === 1 ? 0 : t - 1)) * K + i) * K + j]!;
  const out: { path: number[]; lp: number }[] = [];
  for (let code = 0; code < K ** n; code++) {
    const path = Array.from({ length: n }, (_, t) => Math.floor(code / K ** (n - 1 - t)) % K);
    let lp = u(0, path[0]!);
    for (let t = 1; t < n; t++) lp += q(t, path[t - 1]!, path[t]!) + u(t, path[t]!);
    out.push({ path, lp });
  }
  return out;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

const bruteLogZ = (p: Problem) => Array.from({ length: p.L.B }, (_, b) => logSumExp(paths(p, b).map((x) => x.lp)));

/** Σ_b w_b × posterior marginals in the inputs' layouts, by brute force. */
function bruteMarginals(p: Problem, w: number[]): { unary: Float64Array; pair: Float64Array } {
  const { B, n, K, Bu, Bp, Tp } = p.L;
  const gu = new Float64Array(p.unary.length);
  const gp = new Float64Array(p.pair.length);
  for (let b = 0; b < B; b++) {
    const all = paths(p, b);
    const z = logSumExp(all.map((x) => x.lp));
    if (!Number.isFinite(z)) continue;
    for (const { path, lp } of all) {
      const pr = w[b]! * Math.exp(lp - z);
      for (let t = 0; t < n; t++) gu[((Bu === 1 ? 0 : b) * n + t) * K + path[t]!]! += pr;
      for (let t = 1; t < n; t++) gp[(((Bp === 1 ? 0 : b) * Tp + (Tp === 1 ? 0 : t - 1)) * K + path[t - 1]!) * K + path[t]!]! += pr;
    }
  }
  return { unary: gu, pair: gp };
}

function expectArrayClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (g === w) continue;
    if (Math.abs(g - w) > tol * Math.max(1, Math.abs(w))) expect.fail(`${what}[${i}]: ${g}, expected ${w}`);
  }
}

const LAYOUTS: [string, number, number, number, number, number][] = [
  // name, B, n, K, Bu, Bp (Tp set per case)
  ["batched unary and pair", 3, 4, 3, 3, 3],
  ["shared unary (Bu = 1)", 3, 4, 3, 1, 3],
  ["shared pair (Bp = 1)", 2, 5, 2, 2, 1],
  ["one sequence", 1, 3, 4, 1, 1],
];

describe("chain kernel against a float64 brute force over every path", () => {
  for (const [name, B, n, K, Bu, Bp] of LAYOUTS) {
    for (const Tp of [1, n - 1]) {
      for (const negInf of [0, 0.25]) {
        const label = `${name}, Tp = ${Tp}${negInf > 0 ? ", with -Infinity entries" : ""}`;
        const p = problem(B, n, K, Bu, Bp, Tp, 7 * n + Tp + (negInf > 0 ? 100 : 0) + Bu, negInf);

        it(`log Z and posterior marginals: ${label}`, () => {
          const sw = chainForward(p.L, p.unary, p.pair);
          expectArrayClose(sw.logZ, bruteLogZ(p), 1e-12, "log Z");
          const w = Array.from({ length: B }, (_, b) => 0.5 + b);
          const got = chainPosteriors(sw, w);
          const want = bruteMarginals(p, w);
          expectArrayClose(got.unary, want.unary, 1e-12, "unary marginals");
          expectArrayClose(got.pair, want.pair, 1e-12, "pair marginals");
        });

        it(`Viterbi finds the brute-force argmax path: ${label}`, () => {
          const v = chainViterbi(p.L, p.unary, p.pair);
          for (let b = 0; b < B; b++) {
            const all = paths(p, b);
            const best = Math.max(...all.map((x) => x.lp));
            expect(v.scores[b]).toBeCloseTo(best, 12);
            if (best === -Infinity) continue;
            const got = Array.from(v.paths.slice(b * n, (b + 1) * n));
            // the returned path scores the maximum (a tie may pick any maximiser)
            expect(all.find((x) => x.path.join() === got.join())!.lp).toBeCloseTo(best, 12);
          }
        });
      }
    }
  }

  it("a chain with no possible path: log Z -Infinity, no gradient, Viterbi score -Infinity", () => {
    const p = problem(2, 3, 2, 2, 2, 2, 3);
    // sequence 1: every transition out of the step-1 states into step 2 is impossible
    for (let k = 0; k < 4; k++) p.pair[(1 * 2 + 1) * 4 + k] = -Infinity;
    const sw = chainForward(p.L, p.unary, p.pair);
    expect(sw.logZ[1]).toBe(-Infinity);
    expect(sw.logZ[0]).toBeCloseTo(bruteLogZ(p)[0]!, 12);
    const g = chainPosteriors(sw, [1, 1]);
    expect(Array.from(g.unary.slice(6, 12))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(chainViterbi(p.L, p.unary, p.pair).scores[1]).toBe(-Infinity);
  });

  it("repeated pair blocks (a time-homogeneous matrix spread over the steps, runs of equal blocks) match brute force", () => {
    // blocks A A B B A in each sequence, with -Infinity entries: the repeats reuse the block before them
    const p = problem(2, 6, 3, 2, 2, 5, 41, 0.2);
    for (let b = 0; b < 2; b++) {
      const block = (t: number) => p.pair.slice((b * 5 + t) * 9, (b * 5 + t + 1) * 9);
      const [A, Bk] = [block(0), block(2)];
      [A, A, Bk, Bk, A].forEach((blk, t) => p.pair.splice((b * 5 + t) * 9, 9, ...blk));
    }
    const sw = chainForward(p.L, p.unary, p.pair);
    expectArrayClose(sw.logZ, bruteLogZ(p), 1e-12, "log Z");
    const got = chainPosteriors(sw, [1, 2]);
    const want = bruteMarginals(p, [1, 2]);
    expectArrayClose(got.unary, want.unary, 1e-12, "unary marginals");
    expectArrayClose(got.pair, want.pair, 1e-12, "pair marginals");
  });

  it("a unary array given to the kernel (its exps written over it) with runs of equal rows matches brute force", () => {
    const p = problem(2, 6, 3, 2, 2, 5, 43, 0.2);
    // rows 1-2 and 4-5 of each sequence repeat the row before them
    for (const t of [1, 2, 4, 5]) for (let b = 0; b < 2; b++) p.unary.splice((b * 6 + t) * 3, 3, ...p.unary.slice((b * 6 + t - 1) * 3, (b * 6 + t) * 3));
    const given = Float64Array.from(p.unary);
    const sw = chainForward(p.L, given, p.pair, true);
    expect(sw.U).toBe(given);
    expectArrayClose(sw.logZ, bruteLogZ(p), 1e-12, "log Z");
    const got = chainPosteriors(sw, [1, 2]);
    const want = bruteMarginals(p, [1, 2]);
    expectArrayClose(got.unary, want.unary, 1e-12, "unary marginals");
    expectArrayClose(got.pair, want.pair, 1e-12, "pair marginals");
  });

  it("stays exact when the factors are far from 0 (shifted exps, long chain)", () => {
    const n = 400;
    const K = 2;
    const unary = Array.from({ length: n * K }, (_, i) => (i % 3 === 0 ? -900 : 700) + (i % 5));
    const pair = [-1000, -1001, -999, -1002];
    const L = { B: 1, n, K, Bu: 1, Bp: 1, Tp: 1 };
    // exact by a log-space forward recursion in float64
    let a = [unary[0]!, unary[1]!];
    for (let t = 1; t < n; t++) {
      a = [0, 1].map((j) => logSumExp([0, 1].map((i) => a[i]! + pair[i * K + j]!)) + unary[t * K + j]!);
    }
    expect(chainForward(L, unary, pair).logZ[0]).toBeCloseTo(logSumExp(a), 6);
  });

  it("FFBS draws follow the exact path posterior (chi-square, tiny chain)", () => {
    const p = problem(2, 3, 2, 2, 1, 2, 11);
    const sw = chainForward(p.L, p.unary, p.pair);
    const rng = makeRng(5);
    const N = 20000;
    const out = new Int32Array(3);
    for (let b = 0; b < 2; b++) {
      const all = paths(p, b);
      const z = logSumExp(all.map((x) => x.lp));
      const counts = new Map<string, number>();
      for (let s = 0; s < N; s++) {
        chainSample(sw, b, rng, out, 0);
        const key = Array.from(out).join();
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      let chi2 = 0;
      for (const { path, lp } of all) {
        const e = N * Math.exp(lp - z);
        chi2 += ((counts.get(path.join()) ?? 0) - e) ** 2 / e;
      }
      // 7 degrees of freedom: P(chi2 > 29.9) = 1e-4
      expect(chi2).toBeLessThan(29.9);
    }
  });

  it("FFBS never draws an impossible state", () => {
    const p = problem(1, 4, 3, 1, 1, 3, 17, 0.2);
    const sw = chainForward(p.L, p.unary, p.pair);
    const possible = new Set(paths(p, 0).filter((x) => x.lp > -Infinity).map((x) => x.path.join()));
    expect(possible.size).toBeGreaterThan(0);
    expect(possible.size).toBeLessThan(3 ** 4);
    const rng = makeRng(2);
    const out = new Int32Array(4);
    for (let s = 0; s < 2000; s++) {
      chainSample(sw, 0, rng, out, 0);
      expect(possible.has(Array.from(out).join())).toBe(true);
    }
  });

  it("chainLayout names the caller and the shapes on a mismatch", () => {
    expect(() => chainLayout([2, 4, 3], [3, 3, 3, 3], "test")).toThrow(PPLShapeError);
    expect(() => chainLayout([2, 4, 3], [2, 2, 3, 3], "test")).toThrow(/time dim 2 is neither 1 nor n-1 = 3/);
    expect(() => chainLayout([1, 4, 3], [1, 3, 2, 2], "test")).toThrow(/state sizes differ/);
  });
});

describe("chainLogSumExp (the kernel as a tfjs op)", () => {
  for (const Tp of [1, 3]) {
    it(`value and gradient against finite differences of the brute force, Tp = ${Tp}, Bu = 1`, () => {
      const p = problem(2, 4, 3, 1, 2, Tp, 21 + Tp);
      const w = [0.7, -1.3];
      const f = (u: tf.Tensor, q: tf.Tensor) => chainLogSumExp(u, q).mul(tf.tensor1d(w)).sum();
      const u = tf.tensor3d(p.unary, [1, 4, 3]);
      const q = tf.tensor4d(p.pair, [2, Tp, 3, 3]);
      expectArrayClose(chainLogSumExp(u, q).dataSync(), bruteLogZ(p), 1e-5, "value");
      const [gu, gq] = tf.grads(f)([u, q]);
      const total = (x: Problem) => bruteLogZ(x).reduce((s, z, b) => s + w[b]! * z, 0);
      const h = 1e-5;
      const fd = (key: "unary" | "pair") =>
        p[key].map((_, i) => {
          const up = { ...p, [key]: p[key].map((x, j) => (j === i ? x + h : x)) };
          const dn = { ...p, [key]: p[key].map((x, j) => (j === i ? x - h : x)) };
          return (total(up) - total(dn)) / (2 * h);
        });
      expectArrayClose(gu!.dataSync(), fd("unary"), 1e-4, "d/d unary");
      expectArrayClose(gq!.dataSync(), fd("pair"), 1e-4, "d/d pair");
    });
  }
});
