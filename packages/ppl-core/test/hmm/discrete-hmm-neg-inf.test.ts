// DiscreteHMM with -Infinity logits (hmm.py model_7 pins the start state with
// init_logits = [0, -inf, ...]): value and gradients against a hand-written
// float64 forward algorithm in log space, and the errors for impossible rows.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLSupportError, dist } from "ppl-core";

const NEG = -Infinity;

function lse(xs: number[]): number {
  const m = Math.max(...xs);
  if (m === NEG) return NEG;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

function logNorm(row: number[]): number[] {
  const z = lse(row);
  return row.map((x) => x - z);
}

function normalLogPdf(y: number, loc: number, scale: number): number {
  const z = (y - loc) / scale;
  return -0.5 * z * z - Math.log(scale) - 0.5 * Math.log(2 * Math.PI);
}

/** log p(y): z_{-1} ~ init, every step transitions then emits (Pyro's DiscreteHMM). */
function forward64(init: number[], trans: number[][], locs: number[], ys: number[]): number {
  const K = init.length;
  let alpha = logNorm(init);
  const P = trans.map(logNorm);
  for (const y of ys) {
    alpha = Array.from({ length: K }, (_, j) => lse(alpha.map((a, i) => a + P[i]![j]!)) + normalLogPdf(y, locs[j]!, 1));
  }
  return lse(alpha);
}

describe("DiscreteHMM with -Infinity logits", () => {
  // left-to-right chain: state j can only follow i <= j; start pinned to state 0
  const init = [0, NEG, NEG];
  const trans = [[0.1, -0.5, NEG], [NEG, 0.3, -0.2], [NEG, NEG, 0]];
  const locs = [0, 2, 4];
  const ys = [0.1, 1.7, 2.4, 4.2];

  it("equals a float64 forward algorithm, and its gradients equal finite differences of it", () => {
    const initT = tf.tensor1d(init);
    const transT = tf.tensor2d(trans);
    const locsT = tf.tensor1d(locs);
    const value = tf.tensor1d(ys);
    const f = (i: tf.Tensor, t: tf.Tensor, l: tf.Tensor) =>
      dist.DiscreteHMM(i, t, dist.Normal(l, 1)).logProb(value) as tf.Scalar;
    const lp = f(initT, transT, locsT);
    expect(lp.dataSync()[0]).toBeCloseTo(forward64(init, trans, locs, ys), 5);

    const [gInit, gTrans, gLocs] = tf.grads(f)([initT, transT, locsT]).map((g) => Array.from(g.dataSync()));
    for (const g of [gInit!, gTrans!, gLocs!]) expect(g.every(Number.isFinite)).toBe(true);
    const h = 1e-6;
    const fd = (perturb: (d: number) => number) => (perturb(h) - perturb(-h)) / (2 * h);
    // finite entries only: a -Infinity logit has nowhere to move; its gradient is 0
    expect(gInit![0]).toBeCloseTo(fd((d) => forward64([d, NEG, NEG], trans, locs, ys)), 4);
    expect(gInit![1]).toBe(0);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (trans[i]![j] === NEG) {
          expect(gTrans![i * 3 + j]).toBe(0);
          continue;
        }
        const want = fd((d) => forward64(init, trans.map((r, a) => r.map((x, b) => (a === i && b === j ? x + d : x))), locs, ys));
        expect(gTrans![i * 3 + j], `trans[${i}][${j}]`).toBeCloseTo(want, 4);
      }
    }
    for (let k = 0; k < 3; k++) {
      expect(gLocs![k], `locs[${k}]`).toBeCloseTo(fd((d) => forward64(init, trans, locs.map((x, j) => (j === k ? x + d : x)), ys)), 4);
    }
  });

  it("rejects a transition row with no possible state, naming the parameter and the row", () => {
    const bad = [[0, 0, 0], [NEG, NEG, NEG], [0, 0, 0]];
    const make = () => dist.DiscreteHMM(tf.zeros([3]), tf.tensor2d(bad), dist.Normal(tf.zeros([3]), 1));
    expect(make).toThrow(PPLSupportError);
    expect(make).toThrow(/'transitionLogits' has row \[1\] with every entry -Infinity/);
  });

  it("rejects an all -Infinity initial row, NaN and +Infinity", () => {
    const obs = dist.Normal(tf.zeros([2]), 1);
    expect(() => dist.DiscreteHMM(tf.tensor2d([[0, 1], [NEG, NEG]]), tf.zeros([2, 2]), obs)).toThrow(
      /'initialLogits' has row \[1\] with every entry -Infinity/,
    );
    expect(() => dist.DiscreteHMM(tf.tensor1d([0, NaN]), tf.zeros([2, 2]), obs)).toThrow(
      /'initialLogits' must be real or -Infinity, but row \[\] has NaN at state 1/,
    );
    expect(() => dist.DiscreteHMM(tf.zeros([2]), tf.tensor2d([[0, Infinity], [0, 0]]), obs)).toThrow(
      /'transitionLogits' must be real or -Infinity, but row \[0\] has Infinity at state 1/,
    );
  });

  it("dist.DiscreteHMM builds the class, with the duration option", () => {
    const d = dist.DiscreteHMM(tf.zeros([2]), tf.zeros([2, 2]), dist.Normal(tf.zeros([2]), 1), { duration: 5 });
    expect(d.name).toBe("DiscreteHMM");
    expect(d.eventShape).toEqual([5]);
  });
});
