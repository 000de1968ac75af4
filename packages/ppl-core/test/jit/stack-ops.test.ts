// A chain's per-step ops made one op by a recorded program (jit/stack-ops.ts): per-step Bernoulli log-masses,
// each masked and summed over its tones (the fused form hmm.py's emissions take), spread over the steps as
// ppl-enum's spreadPieces spreads them. The replayed loss Σ_t Σ_s W[t, s] · on[t, s] · Σ_d log Bern(y[t, s, d] | p_t[d])
// and its gradient in each parameter, Σ W · on · (y - p) / (p (1 - p)), against float64 loops of the closed form.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { bernoulliLogProb } from "../../src/ops/bernoulli-logprob.js";
import { customGradient } from "../../src/ops/custom-grad.js";
import { maskedLogProb } from "../../src/ops/masked.js";
import { record } from "../../src/jit/recorder.js";
import { plateSumLike } from "./plate-sum-like.js";

const [T, S, D] = [4, 3, 4];
// values [T, S, D]: binary but one relaxed value
const ys: number[] = Array.from({ length: T * S * D }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
ys[5] = 0.25;
// step t, sequence s counts where `on` holds (a mask constant along each run of tones)
const on = (t: number, s: number): boolean => (t + s) % 3 !== 1;
// the loss weights each spread row (so each step's dy differs)
const weights = Array.from({ length: 6 * S }, (_, i) => 0.5 + ((i * 3) % 7) / 4);

/** Pieces spread over steps as ppl-enum's spreadPieces declares it: step t is pieces[at[t]], zeros where at[t] is -1. */
function spreadLike(pieces: tf.Tensor[], at: number[]): tf.Tensor {
  const shape = pieces[0]!.shape;
  return customGradient<tf.Tensor[]>((inputs) => ({
    value: tf.stack(at.map((i) => (i < 0 ? tf.zeros(shape) : inputs[i]!))),
    gradFunc: (dy: tf.Tensor) => {
      const rows = tf.unstack(dy);
      return inputs.map((_, k) => at.reduce((g, i, t) => (i === k ? g.add(rows[t]!) : g), tf.zeros(shape)));
    },
  }), { spread: { at } })(...pieces);
}

/** The float64 loss and gradient in each step's parameter p_t (probs[t·D + d]) of the spread `at`. */
function closedForm(probs: readonly number[], at: readonly number[]) {
  let loss = 0;
  const grad = probs.map(() => 0);
  at.forEach((k, t) => {
    if (k < 0) return;
    for (let s = 0; s < S; s++) {
      if (!on(k, s)) continue;
      for (let d = 0; d < D; d++) {
        const [q, v, w] = [probs[k * D + d]!, ys[(k * S + s) * D + d]!, weights[t * S + s]!];
        loss += w * (v * Math.log(q) + (1 - v) * Math.log1p(-q));
        grad[k * D + d]! += (w * (v - q)) / (q * (1 - q));
      }
    }
  });
  return { loss, grad };
}

interface Built {
  /** The step's parameter from the variable (step t's probs). */
  param: (v: tf.Variable, t: number) => tf.Tensor;
  /** The variable's values as [T, D] probs, and the gradient in them from the one in the variable. */
  probs: (values: readonly number[]) => number[];
  grad: (values: readonly number[], g: readonly number[]) => number[];
}

/**
 * Record the loss of the pieces spread at `at`, replay it with its gradient, and check both against the closed form;
 * `extra` adds a second reader of piece 0 (which keeps the pieces as they are).
 */
function check(initial: number[], built: Built, at: number[], size: number, extra = false): void {
  const theta = tf.variable(tf.tensor1d(initial));
  const y = tf.tensor3d(ys, [T, S, D]);
  const mask = tf.tensor3d(Array.from({ length: T * S }, (_, i) => on(Math.floor(i / S), i % S)), [T, S, 1], "bool");
  const w = tf.tensor2d(weights.slice(0, at.length * S), [at.length, S]);
  const loss = () => {
    const ysT = tf.unstack(y);
    const masks = tf.unstack(mask);
    const pieces = ysT.map((yt, t) => plateSumLike(maskedLogProb(bernoulliLogProb(yt, built.param(theta, t), "probs"), masks[t]!), [1]));
    const spread = spreadLike(pieces, at).mul(w).sum();
    return extra ? spread.add(pieces[0]!.sum()) : spread;
  };
  const rec = record([y, mask, w], loss);
  if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
  rec.result.dispose();
  expect(rec.program.size).toBe(size);
  for (const values of [initial, initial.map((x, i) => x * 0.8 + 0.03 * (i % 3))]) {
    theta.assign(tf.tensor1d(values));
    const { value, grads } = tf.variableGrads(() => rec.program.run([y, mask, w]) as tf.Scalar, [theta]);
    const truth = closedForm(built.probs(values), at);
    let expectedLoss = truth.loss;
    let expectedGrad = truth.grad;
    if (extra) {
      const ones = closedFormUnweighted(built.probs(values));
      expectedLoss += ones.loss;
      expectedGrad = expectedGrad.map((g, i) => g + ones.grad[i]!);
    }
    expect(value.dataSync()[0]!).toBeCloseTo(expectedLoss, 3);
    const g = built.grad(values, expectedGrad);
    const got = Array.from(grads[theta.name]!.dataSync());
    g.forEach((gi, i) => expect(got[i]).toBeCloseTo(gi, 2));
    tf.dispose([value, ...Object.values(grads)]);
  }
  rec.program.dispose();
  tf.dispose([theta, y, mask, w]);
}

/** Piece 0's loss with unit weights (the second reader in `extra`) and its gradient. */
function closedFormUnweighted(probs: readonly number[]) {
  let loss = 0;
  const grad = probs.map(() => 0);
  for (let s = 0; s < S; s++) {
    if (!on(0, s)) continue;
    for (let d = 0; d < D; d++) {
      const [q, v] = [probs[d]!, ys[s * D + d]!];
      loss += v * Math.log(q) + (1 - v) * Math.log1p(-q);
      grad[d]! += (v - q) / (q * (1 - q));
    }
  }
  return { loss, grad };
}

const TABLE = [0.2, 0.7, 0.45, 0.9];
const STEPS = Array.from({ length: T * D }, (_, i) => 0.1 + ((i * 5) % 9) / 10);

/** One table [2, 2] every step reads through a reshape of its own (hmm.py reshapes its emission table per step). */
const shared: Built = {
  param: (v) => v.reshape([D]),
  probs: (values) => Array.from({ length: T }, () => values).flat(),
  // every step's gradient lands on the one table
  grad: (values, g) => values.map((_, d) => Array.from({ length: T }, (_, t) => g[t * D + d]!).reduce((a, b) => a + b, 0)),
};

/** Each step its own row of a [T, D] variable (a per-step parameter that takes its own gradient). */
const perStep: Built = {
  param: (v, t) => v.reshape([T, D]).slice([t, 0], [1, D]).reshape([D]),
  probs: (values) => [...values],
  grad: (_, g) => [...g],
};

describe("stackOps: a chain's per-step ops spread over its steps replay as one op", () => {
  // recorded: the unstacks of the values and of the mask, 4 reshapes of the table, 4 log-mass ops (mask and sum
  // fused), the spread, the weighting and the sum (13). Stacked: the unstacks, a Pack of the values and one of
  // the masks, one reshape, one op, the weighting and the sum (8); each unstack and its Pack are then one gather
  // (fuse-unstack.ts): 6.
  it("per-step log-masses of one table: one op, the closed form's loss and table gradient", () => {
    check([...TABLE], shared, [0, 1, 2, 3], 6);
  });

  it("a spread with empty steps and a piece at two steps", () => {
    check([...TABLE], shared, [0, -1, 2, 2, 1, 3], 6);
  });

  it("per-step parameters: stacked by a Pack, each step's gradient its own", () => {
    // each step's reshape, slice and reshape stay (12), and their Pack joins the unstacks, the two Packs, the op, the
    // weighting and the sum (20); each unstack and its Pack are one gather (fuse-unstack.ts): 18
    check([...STEPS], perStep, [0, 1, 2, 3], 18);
  });

  it("leaves the pieces as they are when another op reads one, with the same numbers", () => {
    // the 13 recorded steps and the second reader's sum and add
    check([...TABLE], shared, [0, 1, 2, 3], 15, true);
  });
});
