// The factorial chain kernel (ops/factorial-kernel.ts, ops/factorial-op.ts)
// against a float64 brute force over every joint path of the product state:
// log Z, the product-state and per-chain pair marginals, the tf op's gradient
// (the brute-force marginals), the Viterbi arg max and
// score, and FFBS draw frequencies against the exact path posterior.
// Layouts: chains of different sizes, Tp = 1 and n-1, batch broadcasting, -Infinity entries.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLShapeError, makeRng } from "ppl-core";
import {
  type FactorialLayout,
  factorialForward,
  factorialLayout,
  factorialPosteriors,
  factorialSample,
  factorialViterbi,
} from "../../src/ops/factorial-kernel.js";
import { factorialLogSumExp } from "../../src/ops/factorial-op.js";

interface Problem {
  L: FactorialLayout;
  unary: number[];
  pairs: number[][];
}

function problem(B: number, n: number, sizes: number[], Bu: number, Bp: number[], Tp: number[], seed: number, negInf = 0): Problem {
  const rng = makeRng(seed);
  const draw = (m: number) => Array.from({ length: m }, () => (rng() < negInf ? -Infinity : 3 * (rng() - 0.5)));
  const S = sizes.reduce((a, b) => a * b, 1);
  const L = factorialLayout([Bu, n, S], sizes.map((K, m) => [Bp[m]!, Tp[m]!, K, K]), "test");
  expect(L.B).toBe(B);
  return { L, unary: draw(Bu * n * S), pairs: sizes.map((K, m) => draw(Bp[m]! * Tp[m]! * K * K)) };
}

const comp = (L: FactorialLayout, s: number, m: number) => Math.floor(s / L.strides[m]!) % L.sizes[m]!;
const uAt = (p: Problem, b: number, t: number, s: number) => ((p.L.Bu === 1 ? 0 : b) * p.L.n + t) * p.L.S + s;
function pAt(p: Problem, m: number, b: number, t: number, i: number, j: number): number {
  const K = p.L.sizes[m]!;
  const Tp = p.L.Tp[m]!;
  return ((((p.L.Bp[m] === 1 ? 0 : b) * Tp + (Tp === 1 ? 0 : t - 1)) * K + i) * K) + j;
}

/** Every joint path (product states) of sequence b with its log score, written out term by term. */
function paths(p: Problem, b: number): { path: number[]; lp: number }[] {
  const { n, S, sizes } = p.L;
  const out: { path: number[]; lp: number }[] = [];
  for (let code = 0; code < S ** n; code++) {
    const path = Array.from({ length: n }, (_, t) => Math.floor(code / S ** (n - 1 - t)) % S);
    let lp = 0;
    for (let t = 0; t < n; t++) {
      lp += p.unary[uAt(p, b, t, path[t]!)]!;
      if (t > 0) for (let m = 0; m < sizes.length; m++) lp += p.pairs[m]![pAt(p, m, b, t, comp(p.L, path[t - 1]!, m), comp(p.L, path[t]!, m))]!;
    }
    out.push({ path, lp });
  }
  return out;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

function bruteMarginals(p: Problem, w: number[]): { unary: Float64Array; pairs: Float64Array[] } {
  const { B, n, sizes } = p.L;
  const gu = new Float64Array(p.unary.length);
  const gp = p.pairs.map((x) => new Float64Array(x.length));
  for (let b = 0; b < B; b++) {
    const all = paths(p, b);
    const z = logSumExp(all.map((x) => x.lp));
    if (!Number.isFinite(z)) continue;
    for (const { path, lp } of all) {
      const pr = w[b]! * Math.exp(lp - z);
      for (let t = 0; t < n; t++) gu[uAt(p, b, t, path[t]!)]! += pr;
      for (let t = 1; t < n; t++) for (let m = 0; m < sizes.length; m++) gp[m]![pAt(p, m, b, t, comp(p.L, path[t - 1]!, m), comp(p.L, path[t]!, m))]! += pr;
    }
  }
  return { unary: gu, pairs: gp };
}

const cases: [string, () => Problem][] = [
  ["two chains (2, 3), one transition each, B = 1", () => problem(1, 4, [2, 3], 1, [1, 1], [1, 1], 1)],
  ["three chains (2, 2, 3), time-varying transitions, batch 2", () => problem(2, 3, [2, 2, 3], 2, [1, 2, 1], [2, 1, 2], 2)],
  ["two chains with -Infinity entries, batched pairs, shared unary", () => problem(2, 4, [3, 2], 1, [2, 2], [3, 1], 3, 0.2)],
];

describe("factorial chain kernel against brute force over joint paths", () => {
  for (const [name, make] of cases) {
    it(`${name}: log Z and marginals`, () => {
      const p = make();
      const sw = factorialForward(p.L, p.unary, p.pairs);
      const truth = Array.from({ length: p.L.B }, (_, b) => logSumExp(paths(p, b).map((x) => x.lp)));
      truth.forEach((z, b) => (Number.isFinite(z) ? expect(sw.logZ[b]).toBeCloseTo(z, 10) : expect(sw.logZ[b]).toBe(-Infinity)));
      const w = Array.from({ length: p.L.B }, (_, b) => 0.5 + b);
      const got = factorialPosteriors(sw, w);
      const want = bruteMarginals(p, w);
      got.unary.forEach((x, i) => expect(x).toBeCloseTo(want.unary[i]!, 10));
      got.pairs.forEach((g, m) => g.forEach((x, i) => expect(x).toBeCloseTo(want.pairs[m]![i]!, 10)));
    });

    it(`${name}: Viterbi`, () => {
      const p = make();
      const v = factorialViterbi(p.L, p.unary, p.pairs);
      for (let b = 0; b < p.L.B; b++) {
        const all = paths(p, b);
        const best = Math.max(...all.map((x) => x.lp));
        expect(v.scores[b]).toBeCloseTo(best, 10);
        const path = Array.from(v.paths.subarray(b * p.L.n, (b + 1) * p.L.n));
        const own = all.find((x) => x.path.every((s, t) => s === path[t]))!;
        expect(own.lp).toBeCloseTo(best, 10);
      }
    });
  }

  it("Viterbi with ties and -Infinity: the path of a product-state Viterbi that breaks ties by the lowest previous state of the last chain, then the one before", () => {
    // chains of 2, 3 and 4 states (each size has its own max loop), integer log-factors (ties everywhere), some -Infinity
    const rng = makeRng(13);
    const sizes = [2, 3, 4];
    const p = problem(2, 6, sizes, 2, [1, 2, 1], [5, 1, 5], 13);
    const tie = (x: number) => (rng() < 0.15 ? -Infinity : Math.floor(3 * rng()) - 1);
    p.unary = p.unary.map(tie);
    p.pairs = p.pairs.map((x) => x.map(tie));
    const v = factorialViterbi(p.L, p.unary, p.pairs);
    const { n, S } = p.L;
    // eliminating chain 0's previous state first, chain M-1's last, the kernel's max is the product max whose
    // ties keep the lowest previous state of chain M-1, then of chain M-2, ...: candidates in that order, raised only by >
    const order = Array.from({ length: S }, (_, s) => s).sort((x, y) => {
      for (let m = sizes.length - 1; m >= 0; m--) if (comp(p.L, x, m) !== comp(p.L, y, m)) return comp(p.L, x, m) - comp(p.L, y, m);
      return 0;
    });
    for (let b = 0; b < p.L.B; b++) {
      let delta = Array.from({ length: S }, (_, s) => p.unary[uAt(p, b, 0, s)]!);
      const from: number[][] = [];
      for (let t = 1; t < n; t++) {
        const arg = new Array<number>(S);
        delta = Array.from({ length: S }, (_, s) => {
          let best = -Infinity;
          arg[s] = order[0]!;
          for (const r of order) {
            let x = delta[r]!;
            for (let m = 0; m < sizes.length; m++) x += p.pairs[m]![pAt(p, m, b, t, comp(p.L, r, m), comp(p.L, s, m))]!;
            if (x > best) [best, arg[s]] = [x, r];
          }
          return best + p.unary[uAt(p, b, t, s)]!;
        });
        from.push(arg);
      }
      let s = 0;
      for (let r = 1; r < S; r++) if (delta[r]! > delta[s]!) s = r;
      expect(v.scores[b]).toBe(delta[s]);
      const want = [s];
      for (let t = n - 1; t > 0; t--) want.unshift((s = from[t - 1]![s]!));
      expect(Array.from(v.paths.subarray(b * n, (b + 1) * n))).toEqual(want);
    }
    // the test's factors do tie, and reach -Infinity
    expect(new Set(p.unary).size).toBeLessThan(5);
    expect(p.unary).toContain(-Infinity);
  });

  it("FFBS draws joint paths with their posterior frequencies", () => {
    const p = problem(1, 3, [2, 2], 1, [1, 1], [2, 2], 5);
    const sw = factorialForward(p.L, p.unary, p.pairs);
    const all = paths(p, 0);
    const z = logSumExp(all.map((x) => x.lp));
    const rng = makeRng(11);
    const draws = 20000;
    const counts = new Map<string, number>();
    const out = new Int32Array(3);
    for (let d = 0; d < draws; d++) {
      factorialSample(sw, 0, rng, out, 0);
      const k = out.join(",");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let chi2 = 0;
    for (const { path, lp } of all) {
      const e = draws * Math.exp(lp - z);
      chi2 += ((counts.get(path.join(",")) ?? 0) - e) ** 2 / e;
    }
    // 63 degrees of freedom: the 0.999 quantile is about 103
    expect(chi2).toBeLessThan(103);
  });

  it("the tf op: log Z and its gradient, the product-state and per-chain pair marginals", () => {
    const rng = makeRng(7);
    const n = 4;
    const sizes = [2, 3];
    const r = (k: number) => Array.from({ length: k }, () => 2 * (rng() - 0.5));
    const u = tf.tensor(r(2 * n * 6), [2, n, 6]); // per sequence
    const p0 = tf.tensor(r(4), [1, 1, 2, 2]); // shared, constant along time
    const p1 = tf.tensor(r(2 * (n - 1) * 9), [2, n - 1, 3, 3]);
    const L = factorialLayout(u.shape, [p0.shape, p1.shape], "test");
    const p: Problem = { L, unary: Array.from(u.dataSync()), pairs: [Array.from(p0.dataSync()), Array.from(p1.dataSync())] };
    const truth = [0, 1].map((b) => logSumExp(paths(p, b).map((x) => x.lp)));
    const w = tf.tensor1d([1.5, -0.5]);
    const value = factorialLogSumExp(u, [p0, p1]).dataSync();
    truth.forEach((z, b) => expect(value[b]).toBeCloseTo(z, 4));
    const grads = tf.grads((x: tf.Tensor, q0: tf.Tensor, q1: tf.Tensor) => factorialLogSumExp(x, [q0, q1]).mul(w).sum())([u, p0, p1]);
    const want = bruteMarginals(p, [1.5, -0.5]);
    Array.from(grads[0]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want.unary[i]!, 4));
    Array.from(grads[1]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want.pairs[0]![i]!, 4));
    Array.from(grads[2]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want.pairs[1]![i]!, 4));
    tf.dispose([u, p0, p1, w, ...grads]);
    expect(sizes).toEqual(L.sizes);
  });

  it("refuses shapes that do not fit, naming what was expected", () => {
    expect(() => factorialLayout([1, 4, 5], [[1, 1, 2, 2], [1, 1, 3, 3]], "here")).toThrow(PPLShapeError);
    expect(() => factorialLayout([1, 4, 6], [[1, 2, 2, 2], [1, 1, 3, 3]], "here")).toThrow(/neither 1 nor n-1/);
  });
});

describe("factorialHmmMostLikelyPath (public, textbook convention)", () => {
  it("decodes two on/off appliances from their sum, and its log p is the path's joint written out", async () => {
    const { factorialHmmMostLikelyPath } = await import("ppl-core");
    const levels = [0, 200, 100, 300];
    const y = [0, 100, 300, 200];
    const lt = [Math.log(0.9), Math.log(0.1), Math.log(0.1), Math.log(0.9)];
    const emit = (v: number, l: number) => -0.5 * ((v - l) / 10) ** 2;
    const r = factorialHmmMostLikelyPath({ logInit: [[Math.log(0.5), Math.log(0.5)], [Math.log(0.3), Math.log(0.7)]], logTrans: [lt, lt], logEmit: y.flatMap((v) => levels.map((l) => emit(v, l))) });
    expect(r.paths.map((p) => Array.from(p))).toEqual([[0, 1, 1, 0], [0, 0, 1, 1]]);
    const joint = Math.log(0.5) + Math.log(0.3) + 3 * Math.log(0.9) + 3 * Math.log(0.1) + y.reduce((s, v, t) => s + emit(v, levels[r.paths[0]![t]! * 2 + r.paths[1]![t]!]!), 0);
    expect(r.logProb).toBeCloseTo(joint, 10);
    expect(() => factorialHmmMostLikelyPath({ logInit: [[0], [0]], logTrans: [[0], [0]], logEmit: [NaN] })).toThrowError(/NaN or \+Infinity/);
    expect(() => factorialHmmMostLikelyPath({ logInit: [[0, 0]], logTrans: [[0, 0, 0]], logEmit: [0, 0] })).toThrow(PPLShapeError);
  });
});

describe("factorialHmmMarginals (public, textbook convention)", () => {
  it("equals the per-chain marginals of a float64 sum over every joint path (chains of 2 and 3 states, 4 steps)", async () => {
    const { factorialHmmMarginals } = await import("ppl-core");
    const rng = makeRng(11);
    const sizes = [2, 3];
    const S = 6;
    const T = 4;
    const logNorm = (k: number) => {
      const w = Array.from({ length: k }, () => rng() + 0.1);
      const z = w.reduce((a, b) => a + b, 0);
      return w.map((x) => Math.log(x / z));
    };
    const logInit = sizes.map(logNorm);
    const logTrans = sizes.map((K) => Array.from({ length: K }, () => logNorm(K)).flat());
    const logEmit = Array.from({ length: T * S }, () => 3 * (rng() - 0.5));
    // brute force: every joint path (z^0_t, z^1_t), t < T, weighted by its joint probability
    const want = sizes.map((K) => new Array<number>(T * K).fill(0));
    let Z = 0;
    for (let code = 0; code < S ** T; code++) {
      const js = Array.from({ length: T }, (_, t) => Math.floor(code / S ** t) % S);
      const z = js.map((j) => [Math.floor(j / 3), j % 3]);
      let lp = 0;
      for (let t = 0; t < T; t++) {
        lp += logEmit[t * S + js[t]!]!;
        for (let m = 0; m < 2; m++) lp += t === 0 ? logInit[m]![z[0]![m]!]! : logTrans[m]![z[t - 1]![m]! * sizes[m]! + z[t]![m]!]!;
      }
      const p = Math.exp(lp);
      Z += p;
      for (let t = 0; t < T; t++) for (let m = 0; m < 2; m++) want[m]![t * sizes[m]! + z[t]![m]!]! += p;
    }
    const r = factorialHmmMarginals({ logInit, logTrans, logEmit });
    expect(r.logLikelihood).toBeCloseTo(Math.log(Z), 10);
    r.marginals.forEach((got, m) => Array.from(got).forEach((p, i) => expect(p).toBeCloseTo(want[m]![i]! / Z, 12)));
    expect(() => factorialHmmMarginals({ logInit: [[0, 0]], logTrans: [[0, 0, 0]], logEmit: [0, 0] })).toThrow(PPLShapeError);
  });
});
