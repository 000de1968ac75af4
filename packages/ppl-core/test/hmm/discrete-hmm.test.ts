// DiscreteHMM and the fused forward–backward op against brute force over every
// state path, finite differences, and Pyro's golden value on the seed data.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { DiscreteHMM, dist, hmmViterbi } from "ppl-core";
import { hmmLogLikelihood } from "../../src/ops/hmm-forward.js";

const dataDir = join(dirname(fileURLToPath(import.meta.url)), "../../../../data");

/** log p(y) by summing over all K^T paths (float64), Pyro's convention: z_{-1} ~ init, every step transitions. */
function bruteForce(init: number[], trans: number[][][], emit: number[][]): { logZ: number; best: number[]; bestLp: number } {
  const K = init.length;
  const T = emit.length;
  let total = 0;
  let best: number[] = [];
  let bestLp = -Infinity;
  const path = new Array<number>(T).fill(0);
  for (let code = 0; code < K ** T; code++) {
    let c = code;
    for (let t = 0; t < T; t++) {
      path[t] = c % K;
      c = Math.floor(c / K);
    }
    // marginalise z_{-1}
    let p = 0;
    for (let i = 0; i < K; i++) p += Math.exp(init[i]! + trans[0]![i]![path[0]!]!);
    let lp = Math.log(p) + emit[0]![path[0]!]!;
    for (let t = 1; t < T; t++) lp += trans[trans.length === 1 ? 0 : t]![path[t - 1]!]![path[t]!]! + emit[t]![path[t]!]!;
    total += Math.exp(lp);
    if (lp > bestLp) {
      bestLp = lp;
      best = [...path];
    }
  }
  return { logZ: Math.log(total), best, bestLp };
}

function logNorm(row: number[]): number[] {
  const m = Math.max(...row);
  const z = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
  return row.map((x) => x - z);
}

describe("hmmLogLikelihood (fused forward–backward)", () => {
  const K = 3;
  const T = 5;
  const init = logNorm([0.2, -0.4, 0.9]);
  const trans = [0, 1, 2, 3, 4].map((t) => [0, 1, 2].map((i) => logNorm([0.3 * t - i, 0.5 * i, -0.2 * t + 0.1 * i])));
  const emit = Array.from({ length: T }, (_, t) => [Math.sin(t) - 1, Math.cos(t) - 1.5, -0.3 * t]);

  it("equals brute force over all paths, time-varying transitions", () => {
    const lp = hmmLogLikelihood(tf.tensor2d([init]), tf.tensor4d([trans]), tf.tensor3d([emit]));
    const want = bruteForce(init, trans, emit).logZ;
    expect(lp.shape).toEqual([1]);
    expect(lp.dataSync()[0]).toBeCloseTo(want, 4);
  });

  it("broadcasts homogeneous transitions and a batch of emissions", () => {
    const e2 = emit.map((r) => r.map((x) => x * 0.5));
    const lp = hmmLogLikelihood(tf.tensor2d([init]), tf.tensor4d([[trans[0]!]]), tf.tensor3d([emit, e2]));
    const got = Array.from(lp.dataSync());
    expect(got[0]).toBeCloseTo(bruteForce(init, [trans[0]!], emit).logZ, 4);
    expect(got[1]).toBeCloseTo(bruteForce(init, [trans[0]!], e2).logZ, 4);
  });

  it("has gradients equal to central finite differences (float64 brute force)", () => {
    const w = [0.7, -1.3];
    const e2 = emit.map((r) => r.map((x) => x + 0.2));
    const f = (li: tf.Tensor, lt: tf.Tensor, em: tf.Tensor) => hmmLogLikelihood(li, lt, em).mul(tf.tensor1d(w)).sum();
    const g = tf.grads(f)([tf.tensor2d([init]), tf.tensor4d([trans]), tf.tensor3d([emit, e2])]);
    const value = (li: number[], lt: number[][][], e: number[][][]) =>
      w[0]! * bruteForce(li, lt, e[0]!).logZ + w[1]! * bruteForce(li, lt, e[1]!).logZ;
    const eps = 1e-5;
    const gi = g[0]!.dataSync();
    for (let k = 0; k < K; k++) {
      const up = [...init];
      const dn = [...init];
      up[k]! += eps;
      dn[k]! -= eps;
      expect(gi[k]).toBeCloseTo((value(up, trans, [emit, e2]) - value(dn, trans, [emit, e2])) / (2 * eps), 4);
    }
    const gt = g[1]!.dataSync();
    for (const [t, i, j] of [[0, 0, 1], [2, 1, 1], [4, 2, 0]] as const) {
      const up = structuredClone(trans);
      const dn = structuredClone(trans);
      up[t]![i]![j]! += eps;
      dn[t]![i]![j]! -= eps;
      expect(gt[(t * K + i) * K + j]).toBeCloseTo((value(init, up, [emit, e2]) - value(init, dn, [emit, e2])) / (2 * eps), 4);
    }
    const ge = g[2]!.dataSync();
    for (const [b, t, k] of [[0, 0, 0], [1, 3, 2], [0, 4, 1]] as const) {
      const up = structuredClone([emit, e2]);
      const dn = structuredClone([emit, e2]);
      up[b]![t]![k]! += eps;
      dn[b]![t]![k]! -= eps;
      expect(ge[(b * T + t) * K + k]).toBeCloseTo((value(init, trans, up) - value(init, trans, dn)) / (2 * eps), 4);
    }
  });

  it("hmmViterbi finds the brute-force argmax path", () => {
    const { paths, logProbs } = hmmViterbi(tf.tensor2d([init]), tf.tensor4d([trans]), tf.tensor3d([emit]));
    // brute force with z_{-1} maximised too (Viterbi maximises every variable)
    let bestLp = -Infinity;
    let best: number[] = [];
    for (let code = 0; code < K ** (T + 1); code++) {
      const z: number[] = [];
      let c = code;
      for (let t = 0; t <= T; t++) {
        z.push(c % K);
        c = Math.floor(c / K);
      }
      let lp = init[z[0]!]!;
      for (let t = 0; t < T; t++) lp += trans[t]![z[t]!]![z[t + 1]!]! + emit[t]![z[t + 1]!]!;
      if (lp > bestLp) {
        bestLp = lp;
        best = z.slice(1);
      }
    }
    expect(Array.from(paths[0]!)).toEqual(best);
    expect(logProbs[0]).toBeCloseTo(bestLp, 4);
  });
});

describe("DiscreteHMM", () => {
  it("matches Pyro's golden log-likelihood on the seed data at the true parameters", () => {
    const train = JSON.parse(readFileSync(join(dataDir, "seed_train_S30_T120_seed1.json"), "utf8")) as { obs: number[][] };
    const golden = JSON.parse(readFileSync(join(dataDir, "golden_fixed_params.json"), "utf8"));
    const pi = [0.5, 0.3, 0.2];
    const A = [[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]];
    // Pyro's DiscreteHMM transitions before the first emission: make step 0's
    // transition rows all equal pi, so z_0 ~ pi whatever z_{-1} was.
    const trans = tf.concat([tf.tensor3d([[pi, pi, pi]]), tf.tensor3d(Array.from({ length: 119 }, () => A))], 0).log();
    const hmm = new DiscreteHMM(tf.zeros([3]), trans, dist.Normal(tf.tensor1d([0, 5, 10]), tf.tensor1d([0.7, 0.7, 0.7])));
    expect(hmm.eventShape).toEqual([120]);
    const lp = hmm.logProb(tf.tensor2d(train.obs));
    expect(lp.shape).toEqual([30]);
    const total = lp.sum().dataSync()[0]!;
    const want = -golden.float64.loss_priors_excluded as number;
    expect(Math.abs(total - want) / Math.abs(want)).toBeLessThan(1e-5);
    const perSeq = golden.numpy_forward_float64.log_marginal_per_seq as number[];
    Array.from(lp.dataSync()).forEach((v, s) => expect(v).toBeCloseTo(perSeq[s]!, 2));
  });

  it("samples state paths whose first states and transition counts follow the matrix (Pearson chi-square, p = 0.001)", () => {
    // an asymmetric matrix (a sampler that ignored it, transposed it or used one row would be far off);
    // emissions 10 apart with sd 0.1 read the state back exactly: state k ⇔ y ≈ 10 (k − 1)
    const A = [[0.8, 0.15, 0.05], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7]];
    const hmm = new DiscreteHMM(
      tf.zeros([3]),
      tf.tensor2d(A).log(),
      dist.Normal(tf.tensor1d([-10, 0, 10]), tf.tensor1d([0.1, 0.1, 0.1])),
      { duration: 50 },
    );
    const x = hmm.sample([200], 7);
    expect(x.shape).toEqual([200, 50]);
    const y = x.arraySync() as number[][];
    const z = y.map((row) => row.map((v) => Math.round(v / 10) + 1));
    expect(y.flat().every((v) => Math.abs(v - 10 * Math.round(v / 10)) < 0.6)).toBe(true);
    // Pyro's convention: z_{-1} ~ softmax(initLogits) (uniform here), so z_0 ~ the mean row of A
    const p0 = [0, 1, 2].map((j) => (A[0]![j]! + A[1]![j]! + A[2]![j]!) / 3);
    const first = [0, 1, 2].map((j) => z.filter((row) => row[0] === j).length);
    const chi2 = (counts: number[], probs: number[]) => {
      const n = counts.reduce((a, b) => a + b, 0);
      return counts.reduce((acc, c, j) => acc + (c - n * probs[j]!) ** 2 / (n * probs[j]!), 0);
    };
    // chi-square quantiles at 0.999: 13.82 for 2 degrees of freedom, 22.46 for 6
    expect(chi2(first, p0)).toBeLessThan(13.82);
    const counts = A.map(() => [0, 0, 0]);
    for (const row of z) for (let t = 1; t < row.length; t++) counts[row[t - 1]!]![row[t]!]!++;
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(200 * 49);
    const stat = counts.reduce((acc, c, i) => acc + chi2(c, A[i]!), 0);
    expect(stat).toBeLessThan(22.46);
    // and the same counts are far from the transposed matrix's rows (the test can tell them apart)
    const transposed = A.map((_, i) => A.map((r) => r[i]!)).map((r) => r.map((v) => v / r.reduce((a, b) => a + b, 0)));
    expect(counts.reduce((acc, c, i) => acc + chi2(c, transposed[i]!), 0)).toBeGreaterThan(100);
  });

  it("rejects mismatched state sizes with a message naming the shapes", () => {
    expect(() => new DiscreteHMM(tf.zeros([3]), tf.zeros([2, 2]), dist.Normal(tf.zeros([3]), 1))).toThrow(
      /DiscreteHMM: transitionLogits must end in \[3, 3\].*transitionLogits \[2, 2\]/,
    );
  });
});
