// inferDiscrete: temperature 0 against brute-force argmax and the seed test
// sequence's true states; temperature 1 frequencies against exact marginals.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, plate, range, sample, trace, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { inferDiscrete } from "ppl-enum";
import { assignments, loadJSON, normalLogPdf, viterbi, type HMMParams } from "./helpers.js";

const truth = loadJSON<{ pi_true: number[]; A_true: number[][]; mu_true: number[]; sd_true: number[] }>("true_params.json");
const trueParams: HMMParams = { pi: truth.pi_true, A: truth.A_true, locs: truth.mu_true, scales: truth.sd_true };

/** Pyro's decode model: one sequence, no plate. */
function hmm(p: HMMParams) {
  const pi = tf.tensor1d(p.pi);
  const A = tf.tensor2d(p.A);
  const locs = tf.tensor1d(p.locs);
  const scales = tf.tensor1d(p.scales);
  return function* model(y: number[]) {
    let z: tf.Tensor | undefined;
    yield* markov(range(y.length), function* (t) {
      const probs = t === 0 ? pi : vindex(A, "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: y[t]! });
    });
  };
}

function decodedPath(model: Model<[number[]]>, y: number[], temperature: 0 | 1, seed?: number): number[] {
  return tf.tidy(() => {
    const tr = trace(inferDiscrete(model, { firstAvailableDim: -1, temperature, ...(seed === undefined ? {} : { seed }) })).getTrace(y);
    return y.map((_, t) => {
      const v = tr.sampleSite(`z_${t}`).value;
      expect(v.shape).toEqual([]);
      return v.dataSync()[0]!;
    });
  });
}

function logJoint(y: number[], z: number[], p: HMMParams): number {
  let lp = Math.log(p.pi[z[0]!]!);
  for (let t = 0; t < y.length; t++) {
    if (t > 0) lp += Math.log(p.A[z[t - 1]!]![z[t]!]!);
    lp += normalLogPdf(y[t]!, p.locs[z[t]!]!, p.scales[z[t]!]!);
  }
  return lp;
}

describe("inferDiscrete, temperature 0 (Viterbi)", () => {
  const p: HMMParams = { pi: [0.6, 0.3, 0.1], A: [[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4]], locs: [0, 1, 2], scales: [1, 0.8, 1.2] };
  for (const T of [1, 2, 4, 6]) {
    it(`equals the brute-force argmax over all 3^${T} paths`, () => {
      const y = Array.from({ length: T }, (_, t) => Math.sin(1.3 * t + 0.4) * 1.5 + 1);
      let best = -Infinity;
      let arg: number[] = [];
      for (const z of assignments(new Array<number>(T).fill(3))) {
        const lp = logJoint(y, z, p);
        if (lp > best) [best, arg] = [lp, z];
      }
      expect(decodedPath(hmm(p), y, 0)).toEqual(arg);
    });
  }

  it("decodes the seed test sequence (T=160) to its true states, as Pyro and a float64 Viterbi do", () => {
    const test = loadJSON<{ y: number[]; z: number[] }>("seed_test_T160_seed77.json");
    const golden = loadJSON<{ viterbi_test: { path: number[] } }>("golden_fixed_params.json");
    const path = decodedPath(hmm(trueParams), test.y, 0);
    expect(path).toEqual(golden.viterbi_test.path);
    expect(path).toEqual(test.z);
    expect(path).toEqual(viterbi(test.y, trueParams));
  });
});

describe("inferDiscrete on a markov loop in a plate (the fused chain, one Viterbi per member)", () => {
  it("decodes each sequence of the plate to a hand-written float64 Viterbi path", () => {
    const p: HMMParams = { pi: [0.5, 0.3, 0.2], A: [[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.1, 0.2, 0.7]], locs: [0, 1.5, 3], scales: [0.8, 1, 1.2] };
    const S = 4;
    const T = 12;
    const ys = Array.from({ length: S }, (_, s) => Array.from({ length: T }, (_, t) => 1.5 + 1.6 * Math.sin(0.7 * t + 1.9 * s)));
    const pi = tf.tensor1d(p.pi);
    const A = tf.tensor2d(p.A);
    const locs = tf.tensor1d(p.locs);
    const scales = tf.tensor1d(p.scales);
    const obs = tf.tensor2d(ys);
    function* model() {
      yield* plate("seqs", S, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(T), function* (t) {
          const probs = t === 0 ? pi : vindex(A, "...", z!, ":");
          z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: obs.slice([0, t], [S, 1]).reshape([S]) });
        });
      });
    }
    const paths = tf.tidy(() => {
      const tr = trace(inferDiscrete(model, { firstAvailableDim: -2, temperature: 0 })).getTrace();
      return Array.from({ length: T }, (_, t) => Array.from(tr.sampleSite(`z_${t}`).value.dataSync()));
    });
    for (let s = 0; s < S; s++) expect(paths.map((zt) => zt[s])).toEqual(viterbi(ys[s]!, p));
  });
});

describe("inferDiscrete's replay: every site scored with its own decoded parents", () => {
  // the replay shares one tensor among sites decoded to equal values and step-caches what the model derives from
  // them (vindex rows, normalised probs): each site must still get the distribution of its own parents
  for (const S of [1, 3]) {
    it(`each site's log-density in the decoded trace is the float64 one of its Viterbi path (S=${S})`, () => {
      const p: HMMParams = { pi: [0.5, 0.3, 0.2], A: [[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.1, 0.2, 0.7]], locs: [0, 1.5, 3], scales: [0.8, 1, 1.2] };
      const T = 20;
      const ys = Array.from({ length: S }, (_, s) => Array.from({ length: T }, (_, t) => 1.5 + 1.6 * Math.sin(0.45 * t + 1.9 * s)));
      const [pi, A, locs, scales, obs] = [tf.tensor1d(p.pi), tf.tensor2d(p.A), tf.tensor1d(p.locs), tf.tensor1d(p.scales), tf.tensor2d(ys)];
      function* model() {
        yield* plate("seqs", S, function* () {
          let z: tf.Tensor | undefined;
          yield* markov(range(T), function* (t) {
            const probs = t === 0 ? pi : vindex(A, "...", z!, ":");
            z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
            yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: obs.slice([0, t], [S, 1]).reshape([S]) });
          });
        });
      }
      const paths = ys.map((y) => viterbi(y, p));
      // a path that changes state, so sites share decoded values with some sites and not with others
      expect(new Set(paths.flat()).size).toBeGreaterThan(1);
      tf.tidy(() => {
        const tr = trace(inferDiscrete(model, { firstAvailableDim: -2, temperature: 0 })).getTrace();
        for (let t = 0; t < T; t++) {
          const zLp = tr.logProb(`z_${t}`).dataSync();
          const yLp = tr.logProb(`y_${t}`).dataSync();
          for (let s = 0; s < S; s++) {
            const z = paths[s]!;
            expect(zLp[s]).toBeCloseTo(Math.log(t === 0 ? p.pi[z[0]!]! : p.A[z[t - 1]!]![z[t]!]!), 5);
            expect(yLp[s]).toBeCloseTo(normalLogPdf(ys[s]![t]!, p.locs[z[t]!]!, p.scales[z[t]!]!), 4);
          }
        }
      });
      tf.dispose([pi, A, locs, scales, obs]);
    });
  }
});

describe("inferDiscrete, temperature 1 (forward filtering, backward sampling)", () => {
  it("sample frequencies match the exact posterior marginals and pairwise joint (4 sigma)", () => {
    // z_0 -> z_1 -> z_2 with observations, in a plate of N independent copies of the same data
    const p: HMMParams = { pi: [0.5, 0.3, 0.2], A: [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]], locs: [0, 1, 2], scales: [1, 1, 1] };
    const y = [0.4, 1.3, 1.1];
    const N = 4000;
    const pi = tf.tensor1d(p.pi);
    const A = tf.tensor2d(p.A);
    const locs = tf.tensor1d(p.locs);
    function* model() {
      yield* plate("particles", N, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(3), function* (t) {
          const probs = t === 0 ? pi : vindex(A, "...", z!, ":");
          z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: tf.fill([N], y[t]!) });
        });
      });
    }
    // exact posterior by brute force
    const post = new Map<string, number>();
    let norm = 0;
    for (const z of assignments([3, 3, 3])) {
      const w = Math.exp(logJoint(y, z, p));
      post.set(z.join(""), w);
      norm += w;
    }
    const samples = tf.tidy(() => {
      const tr = trace(inferDiscrete(model, { firstAvailableDim: -2, temperature: 1, seed: 11 })).getTrace();
      return [0, 1, 2].map((t) => {
        const v = tr.sampleSite(`z_${t}`).value;
        expect(v.shape).toEqual([N]);
        return Array.from(v.dataSync());
      });
    });
    const check = (event: (z: number[]) => boolean, sampled: (i: number) => boolean) => {
      let exact = 0;
      for (const z of assignments([3, 3, 3])) if (event(z)) exact += post.get(z.join(""))! / norm;
      let hits = 0;
      for (let i = 0; i < N; i++) if (sampled(i)) hits++;
      const sd = Math.sqrt((exact * (1 - exact)) / N);
      expect(Math.abs(hits / N - exact)).toBeLessThan(4 * sd + 1e-9);
    };
    for (let t = 0; t < 3; t++) {
      for (let k = 0; k < 3; k++) check((z) => z[t] === k, (i) => samples[t]![i] === k);
    }
    // the joint, not just the marginals: z_0 and z_2 together
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) check((z) => z[0] === a && z[2] === b, (i) => samples[0]![i] === a && samples[2]![i] === b);
    }
  });

  it("is reproducible with a seed, and different seeds give different draws", () => {
    const p: HMMParams = { pi: [0.4, 0.3, 0.3], A: [[0.4, 0.3, 0.3], [0.3, 0.4, 0.3], [0.3, 0.3, 0.4]], locs: [0, 0.5, 1], scales: [2, 2, 2] };
    const y = Array.from({ length: 30 }, (_, t) => (t % 3) * 0.5);
    const a = decodedPath(hmm(p), y, 1, 5);
    expect(decodedPath(hmm(p), y, 1, 5)).toEqual(a);
    expect(decodedPath(hmm(p), y, 1, 6)).not.toEqual(a);
  });
});
