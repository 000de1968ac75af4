// The HMM posterior API (hmmForwardBackward, hmmLogLikelihood64, hmmMostLikelyPath on plain
// arrays; DiscreteHMM's marginals, filter and viterbi) against a float64 brute-force sum over
// every state path, written out here. test_discrete_hmm_filter is named after Pyro's
// tests/distributions/test_hmm.py check of DiscreteHMM.filter (there against a sequential model).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { DiscreteHMM, PPLNumericalError, PPLShapeError, dist, hmmForwardBackward, hmmLogLikelihood64, hmmMostLikelyPath, makeRng } from "ppl-core";

interface Brute {
  logZ: number;
  marginals: number[][];
  pairCounts: number[][];
  best: number[];
  bestLp: number;
  last: number[];
}

/** Every K^T path's joint, textbook convention (z_0 ~ init); `before` adds Pyro's state before the first step. */
function brute(init: number[], trans: number[][], emit: number[][], before = false): Brute {
  const K = init.length;
  const T = emit.length;
  const paths: { z: number[]; lp: number; maxLp: number }[] = [];
  for (let code = 0; code < K ** T; code++) {
    const z: number[] = [];
    let c = code;
    for (let t = 0; t < T; t++) (z.push(c % K), (c = Math.floor(c / K)));
    let first = 0;
    let firstMax = -Infinity;
    for (let i = 0; before && i < K; i++) (first += Math.exp(init[i]! + trans[i]![z[0]!]!), (firstMax = Math.max(firstMax, init[i]! + trans[i]![z[0]!]!)));
    let rest = emit[0]![z[0]!]!;
    for (let t = 1; t < T; t++) rest += trans[z[t - 1]!]![z[t]!]! + emit[t]![z[t]!]!;
    // Viterbi maximises the state before the first step out; the marginals sum it out
    paths.push({ z, lp: (before ? Math.log(first) : init[z[0]!]!) + rest, maxLp: (before ? firstMax : init[z[0]!]!) + rest });
  }
  const Z = paths.reduce((s, p) => s + Math.exp(p.lp), 0);
  const marginals = Array.from({ length: T }, () => new Array<number>(K).fill(0));
  const pairCounts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const p of paths) {
    const w = Math.exp(p.lp) / Z;
    p.z.forEach((k, t) => (marginals[t]![k]! += w));
    for (let t = 1; t < T; t++) pairCounts[p.z[t - 1]!]![p.z[t]!]! += w;
  }
  const top = paths.reduce((a, b) => (b.maxLp > a.maxLp ? b : a));
  return { logZ: Math.log(Z), marginals, pairCounts, best: top.z, bestLp: top.maxLp, last: marginals[T - 1]! };
}

function randomHmm(K: number, T: number, seed: number) {
  const rng = makeRng(seed);
  const logRow = () => {
    const r = Array.from({ length: K }, () => 0.2 + rng());
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((x) => Math.log(x / s));
  };
  const init = logRow();
  const trans = Array.from({ length: K }, logRow);
  const emit = Array.from({ length: T }, () => Array.from({ length: K }, () => -3 * rng()));
  return { init, trans, emit };
}

describe("hmmForwardBackward / hmmLogLikelihood64 / hmmMostLikelyPath (float64 arrays)", () => {
  for (const [K, T, seed] of [[2, 1, 1], [3, 5, 2], [4, 6, 3]] as const) {
    it(`match brute force over every path (K=${K}, T=${T})`, () => {
      const { init, trans, emit } = randomHmm(K, T, seed);
      const want = brute(init, trans, emit);
      const h = { logInit: init, logTrans: trans.flat(), logEmit: emit.flat() };
      const fb = hmmForwardBackward(h);
      expect(fb.logLikelihood).toBeCloseTo(want.logZ, 10);
      expect(hmmLogLikelihood64(h)).toBeCloseTo(want.logZ, 10);
      want.marginals.forEach((row, t) => row.forEach((p, k) => expect(fb.marginals[t * K + k]!).toBeCloseTo(p, 10)));
      want.pairCounts.forEach((row, i) => row.forEach((p, j) => expect(fb.transitionCounts[i * K + j]!).toBeCloseTo(p, 10)));
      const v = hmmMostLikelyPath(h);
      expect(Array.from(v.path)).toEqual(want.best);
      expect(v.logProb).toBeCloseTo(want.bestLp, 10);
    });
  }

  it("impossible states (-Infinity) are exact; no possible path gives -Infinity and zero marginals", () => {
    const init = [0, -Infinity];
    const trans = [[Math.log(0.5), Math.log(0.5)], [-Infinity, 0]];
    const emit = [[-1, -2], [-0.5, -0.1], [-2, -0.3]];
    const want = brute(init, trans, emit);
    const fb = hmmForwardBackward({ logInit: init, logTrans: trans.flat(), logEmit: emit.flat() });
    expect(fb.logLikelihood).toBeCloseTo(want.logZ, 10);
    expect(fb.marginals[1]).toBe(0);
    const none = hmmForwardBackward({ logInit: [0, -Infinity], logTrans: [0, -Infinity, -Infinity, 0], logEmit: [-1, 0, -Infinity, 0] });
    expect(none.logLikelihood).toBe(-Infinity);
    expect(Array.from(none.marginals).every((x) => x === 0)).toBe(true);
  });

  it("a NaN or +Infinity input is a PPLNumericalError naming the entry; wrong lengths a PPLShapeError", () => {
    const h = { logInit: [0, 0], logTrans: [0, 0, 0, 0], logEmit: [0, 0, 0, Number.NaN] };
    expect(() => hmmForwardBackward(h)).toThrow(PPLNumericalError);
    expect(() => hmmForwardBackward(h)).toThrow(/logEmit at step 1, state 1 is NaN/);
    expect(() => hmmMostLikelyPath(h)).toThrow(/logEmit at step 1, state 1 is NaN/);
    expect(() => hmmLogLikelihood64({ ...h, logEmit: [0, Infinity] })).toThrow(/logEmit at step 0, state 1 is Infinity/);
    expect(() => hmmForwardBackward({ ...h, logTrans: [0, 0, 0] })).toThrow(PPLShapeError);
    expect(() => hmmForwardBackward({ ...h, logEmit: [0, 0, 0] })).toThrow(/not a positive multiple of K = 2/);
  });
});

describe("DiscreteHMM marginals / filter / viterbi", () => {
  const K = 3;
  const T = 5;
  const { init, trans, emit: _ } = randomHmm(K, T, 7);
  const locs = [-1, 0.5, 2];
  const ys = [[0.1, 1.9, 2.2, -0.8, 0.4], [2, 2.1, -1, -1.2, 0.6]];
  const normal = (y: number, m: number) => -0.5 * (y - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
  const hmm = () => new DiscreteHMM(tf.tensor1d(init), tf.tensor2d(trans).expandDims(0), dist.Normal(tf.tensor1d(locs), 1).expand([1, K]), { duration: T });

  it("test_discrete_hmm_filter: marginals, final-state filter and Viterbi path per batch member equal brute force (transition before the first emission)", () => {
    const d = hmm();
    const y = tf.tensor2d(ys);
    // a first Categorical makes its cached category index once
    d.filter(y).logits.dispose();
    const before = tf.memory().numTensors;
    const m = d.marginals(y);
    const v = d.viterbi(y);
    expect(m.shape).toEqual([2, T, K]);
    expect(v.states.shape).toEqual([2, T]);
    expect(v.states.dtype).toBe("int32");
    const md = m.arraySync() as number[][][];
    // a distribution's tensors are the caller's: read the filter's probs inside tf.tidy
    const fd = tf.tidy(() => d.filter(y).probs.arraySync() as number[][]);
    const sd = v.states.arraySync() as number[][];
    const ld = v.logProb.arraySync() as number[];
    ys.forEach((seq, b) => {
      const want = brute(init, trans, seq.map((yt) => locs.map((l) => normal(yt, l))), true);
      want.marginals.forEach((row, t) => row.forEach((p, k) => expect(md[b]![t]![k]!).toBeCloseTo(p, 5)));
      want.last.forEach((p, k) => expect(fd[b]![k]!).toBeCloseTo(p, 5));
      expect(sd[b]).toEqual(want.best);
      expect(ld[b]!).toBeCloseTo(want.bestLp, 4);
    });
    tf.dispose([m, v.states, v.logProb]);
    expect(tf.memory().numTensors).toBe(before);
    y.dispose();
  });

  it("unnormalised logits are normalised as logProb normalises them", () => {
    const shifted = new DiscreteHMM(tf.tensor1d(init).add(3), tf.tensor2d(trans).add(tf.tensor2d([[1], [2], [-1]])).expandDims(0), dist.Normal(tf.tensor1d(locs), 1).expand([1, K]), { duration: T });
    const y = tf.tensor1d(ys[0]!);
    const a = shifted.marginals(y).arraySync() as number[][];
    const b = hmm().marginals(y).arraySync() as number[][];
    a.forEach((row, t) => row.forEach((p, k) => expect(p).toBeCloseTo(b[t]![k]!, 5)));
  });
});
