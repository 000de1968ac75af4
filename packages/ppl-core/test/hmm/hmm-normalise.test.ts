// hmmLogLikelihood's `normalise` option (DiscreteHMM's logits normalised inside
// the fused op) against normalising with tfjs ops first, brute force over every
// path, and central differences in the raw logits.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { DiscreteHMM, dist } from "ppl-core";
import { hmmLogLikelihood } from "../../src/ops/hmm-forward.js";
import { checkGradients, expectClose, vals } from "../distributions/helpers.js";

const K = 3;
const T = 4;
const logNorm = (row: number[]) => {
  const m = Math.max(...row);
  const z = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
  return row.map((x) => x - z);
};

/** log p(y) in float64 over all K^T paths, rows of init and trans normalised first (Pyro's convention). */
function bruteForce(init: number[], trans: number[], emit: number[], b: number): number {
  const li = logNorm(init);
  const lt = Array.from({ length: T * K }, (_, r) => logNorm(trans.slice(r * K, (r + 1) * K)));
  let total = 0;
  for (let code = 0; code < K ** (T + 1); code++) {
    let c = code;
    let prev = c % K;
    c = Math.floor(c / K);
    let lp = li[prev]!;
    for (let t = 0; t < T; t++) {
      const z = c % K;
      c = Math.floor(c / K);
      lp += lt[t * K + prev]![z]! + emit[(b * T + t) * K + z]!;
      prev = z;
    }
    total += Math.exp(lp);
  }
  return Math.log(total);
}

describe("hmmLogLikelihood with normalise", () => {
  const init = { values: [0.4, -1.1, 2.0], shape: [1, K] };
  const trans = { values: Array.from({ length: T * K * K }, (_, i) => Math.sin(1.7 * i) * 2), shape: [1, T, K, K] };
  const emit = { values: Array.from({ length: 2 * T * K }, (_, i) => Math.cos(0.9 * i) - 1.5), shape: [2, T, K] };

  it("equals normalising the logits with tfjs ops first, and brute force", () => {
    tf.tidy(() => {
      const [li, lt, em] = [init, trans, emit].map((p) => tf.tensor(p.values, p.shape));
      const fused = hmmLogLikelihood(li!, lt!, em!, { normalise: true });
      const norm = (x: tf.Tensor) => x.sub(tf.logSumExp(x, -1, true));
      const plain = hmmLogLikelihood(norm(li!), norm(lt!), em!);
      expectClose(vals(fused), vals(plain), 1e-4, 1e-6);
      expectClose(vals(fused), [0, 1].map((b) => bruteForce(init.values, trans.values, emit.values, b)), 1e-4, 1e-6);
      // a missing batch dim is batch size 1
      expectClose(vals(hmmLogLikelihood(li!.reshape([K]), lt!.reshape([T, K, K]), em!, { normalise: true })), vals(fused), 0, 0);
    });
  });

  it("has gradients in the raw logits and emissions equal to central differences of brute force", () => {
    checkGradients(
      (li, lt, em) => hmmLogLikelihood(li, lt, em, { normalise: true }),
      ([i, t, e]) => [0, 1].map((b) => bruteForce(i!, t!, e!, b)),
      [init, trans, emit],
      2e-3,
      "normalised hmm",
    );
  });

  // one matrix repeated over the steps after a different first one (the seed model's probs_init row, then
  // probs_trans), and a row repeated inside a matrix: rows equal to the previous matrix's reuse its normalisation
  const repeated = { values: trans.values.map((_, i) => trans.values[i < K * K ? i : K * K + (i % (K * K))]!), shape: [1, T, K, K] };

  it("a transition matrix repeated over the steps: brute force, and gradients by central differences", () => {
    tf.tidy(() => {
      const [li, lt, em] = [init, repeated, emit].map((p) => tf.tensor(p.values, p.shape));
      const fused = hmmLogLikelihood(li!, lt!, em!, { normalise: true });
      expectClose(vals(fused), [0, 1].map((b) => bruteForce(init.values, repeated.values, emit.values, b)), 1e-4, 1e-6);
    });
    checkGradients(
      (li, lt, em) => hmmLogLikelihood(li, lt, em, { normalise: true }),
      ([i, t, e]) => [0, 1].map((b) => bruteForce(i!, t!, e!, b)),
      [init, repeated, emit],
      2e-3,
      "normalised hmm, repeated transitions",
    );
  });

  it("emissions shared by the batch (emit [1, T, K]) against an init per member: brute force and central differences", () => {
    const init2 = { values: [0.4, -1.1, 2.0, -0.3, 0.9, 0.2], shape: [2, K] };
    const emit1 = { values: emit.values.slice(0, T * K), shape: [1, T, K] };
    const ref = ([i, t, e]: number[][]) => [0, 1].map((b) => bruteForce(i!.slice(b * K, (b + 1) * K), t!, e!, 0));
    tf.tidy(() => {
      const [li, lt, em] = [init2, trans, emit1].map((p) => tf.tensor(p.values, p.shape));
      expectClose(vals(hmmLogLikelihood(li!, lt!, em!, { normalise: true })), ref([init2.values, trans.values, emit1.values]), 1e-4, 1e-6);
    });
    checkGradients((li, lt, em) => hmmLogLikelihood(li, lt, em, { normalise: true }), ref, [init2, trans, emit1], 2e-3, "shared emissions");
  });

  it("DiscreteHMM's logits stay readable, normalised, while logProb normalises inside the op", () => {
    tf.tidy(() => {
      const hmm = new DiscreteHMM(tf.tensor([1, 2, 3]), tf.tensor(trans.values, [T, K, K]), dist.Normal(tf.tensor([0, 1, 2]), 1));
      const rows = hmm.transitionLogits.exp().sum(-1);
      expectClose(vals(rows), new Array<number>(T * K).fill(1), 1e-6, 1e-6);
      expectClose(vals(hmm.initialLogits), logNorm([1, 2, 3]), 1e-6, 1e-6);
      expect(hmm.logProb(tf.tensor([0.5, 1.5, -0.2, 2.4])).shape).toEqual([]);
    });
  });
});
