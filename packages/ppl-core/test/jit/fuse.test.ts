// A recorded program's fusions (jit/fuse.ts): Bernoulli's log-mass of a gathered parameter (hmm.py model_2's
// probs_y[x, y_prev, tones]) replays as one op on the table, and a mask on it as part of that op, with the
// value and the table's gradient of the float64 closed form: Σ log Bern(y_i | t[idx_i]), and
// d/dt_e = Σ_{i: idx_i = e} (y_i - t_e) / (t_e (1 - t_e)).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { bernoulliLogProb } from "../../src/ops/bernoulli-logprob.js";
import { gatherFlat } from "../../src/ops/gather.js";
import { maskedLogProb } from "../../src/ops/masked.js";
import { record } from "../../src/jit/recorder.js";
import { plateSumLike } from "./plate-sum-like.js";

const table = [0.2, 0.7, 0.45, 0.9, 0.05];
// values [3, 4] (binary and one relaxed value), each read through an index into the 5 entries
const ys = [1, 0, 0, 1, 0, 1, 1, 0, 0.25, 1, 0, 1];
const idx = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 4];

// `on` says which of the 12 values count (a mask; all by default)
const all = ys.map(() => true);
const logMass64 = (t: readonly number[], on = all) =>
  ys.reduce((a, y, i) => a + (on[i] ? y * Math.log(t[idx[i]!]!) + (1 - y) * Math.log1p(-t[idx[i]!]!) : 0), 0);
const gradient64 = (t: readonly number[], on = all) =>
  t.map((te, e) => ys.reduce((a, y, i) => a + (on[i] && idx[i] === e ? (y - te) / (te * (1 - te)) : 0), 0));

function recorded(extra: (g: tf.Tensor) => tf.Tensor | undefined, mask?: tf.Tensor, sumAxes?: number[], reshapeTo?: number[]) {
  const t = tf.variable(tf.tensor1d(table));
  const y = tf.tensor2d(ys, [3, 4]);
  const index = tf.tensor2d(idx, [3, 4], "int32");
  const loss = () => {
    const g = gatherFlat(t as tf.Tensor1D, index);
    const raw = bernoulliLogProb(y, g, "probs");
    const masked = mask === undefined ? raw : maskedLogProb(raw, mask);
    const shaped = reshapeTo === undefined ? masked : masked.reshape(reshapeTo);
    const lp = (sumAxes === undefined ? shaped : plateSumLike(shaped, sumAxes)).sum();
    const more = extra(g);
    return more === undefined ? lp : lp.add(more);
  };
  const rec = record([y], loss);
  if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
  rec.result.dispose();
  return { program: rec.program, t, y };
}

function replay(program: ReturnType<typeof recorded>["program"], t: tf.Variable, y: tf.Tensor) {
  const { value, grads } = tf.variableGrads(() => program.run([y]) as tf.Scalar, [t]);
  const out = { loss: value.dataSync()[0]!, grad: Array.from(grads[t.name]!.dataSync()) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe("fuseSteps", () => {
  it("folds a gather read only by Bernoulli's log-mass into it: one op, the closed form's value and table gradient", () => {
    const { program, t, y } = recorded(() => undefined);
    // the gather, the log-mass and the sum recorded; the gather folded away
    expect(program.size).toBe(2);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table), 4);
    gradient64(table).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    // the replay reads the table's current values
    const moved = table.map((q) => q * 0.9 + 0.05);
    t.assign(tf.tensor1d(moved));
    const r2 = replay(program, t, y);
    expect(r2.loss).toBeCloseTo(logMass64(moved), 4);
    gradient64(moved).forEach((g, e) => expect(r2.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("keeps a gather that another op also reads, and the gradient has both paths", () => {
    const { program, t, y } = recorded((g) => g.sum());
    // gather, log-mass, sum, sum, add: the gather stays for the second sum
    expect(program.size).toBe(5);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table) + idx.reduce((a, e) => a + table[e]!, 0), 4);
    const counts = table.map((_, e) => idx.filter((i) => i === e).length);
    gradient64(table).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g + counts[e]!, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("folds a mask constant along each run of the output into the log-mass: masked runs add nothing", () => {
    // rows 0 and 2 of the [3, 4] values count
    const on = ys.map((_, i) => Math.floor(i / 4) !== 1);
    const { program, t, y } = recorded(() => undefined, tf.tensor2d([[true], [false], [true]], [3, 1], "bool"));
    // gather, log-mass, mask, sum: the gather and the mask folded into the log-mass
    expect(program.size).toBe(2);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table, on), 4);
    gradient64(table, on).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("leaves a mask that varies along a run as its own op, with the same numbers", () => {
    // columns 0, 1 and 3 count
    const on = ys.map((_, i) => i % 4 !== 2);
    const { program, t, y } = recorded(() => undefined, tf.tensor2d([[true, true, false, true]], [1, 4], "bool"));
    expect(program.size).toBe(3);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table, on), 4);
    gradient64(table, on).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("folds a sum over each run of the output (a plate sum over the last axis) into the masked log-mass", () => {
    const on = ys.map((_, i) => Math.floor(i / 4) !== 1);
    const { program, t, y } = recorded(() => undefined, tf.tensor2d([[true], [false], [true]], [3, 1], "bool"), [1]);
    // gather, log-mass, mask, plate sum, sum: one op and the final sum
    expect(program.size).toBe(2);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table, on), 4);
    gradient64(table, on).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("leaves a sum over another axis than the runs' as its own op, with the same numbers", () => {
    const { program, t, y } = recorded(() => undefined, undefined, [0]);
    expect(program.size).toBe(3);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table), 4);
    gradient64(table).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("folds a sum that takes the log-mass through a reshape (the same order of elements)", () => {
    const on = ys.map((_, i) => Math.floor(i / 4) !== 1);
    const { program, t, y } = recorded(() => undefined, tf.tensor2d([[true], [false], [true]], [3, 1], "bool"), [2], [3, 1, 4]);
    // gather, log-mass, mask, reshape, plate sum, sum: one op and the final sum
    expect(program.size).toBe(2);
    const r = replay(program, t, y);
    expect(r.loss).toBeCloseTo(logMass64(table, on), 4);
    gradient64(table, on).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    program.dispose();
    tf.dispose([t, y]);
  });

  it("folds mask and sum into a log-mass whose parameter (two states) is broadcast over the values, rows sharing each value run", () => {
    // probs [2, 1, 4] against values [3, 4]: out [2, 3, 4], each value run read by both states; row 1 masked
    const probs = [0.3, 0.6, 0.15, 0.8, 0.55, 0.25, 0.9, 0.4];
    const t = tf.variable(tf.tensor3d(probs, [2, 1, 4]));
    const y = tf.tensor2d(ys, [3, 4]);
    const mask = tf.tensor3d([true, false, true], [1, 3, 1], "bool");
    const rec = record([y], () => plateSumLike(maskedLogProb(bernoulliLogProb(y, t, "probs"), mask), [2]).sum());
    if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
    rec.result.dispose();
    expect(rec.program.size).toBe(2);
    const on = (s: number) => s !== 1;
    let loss = 0;
    const grad = probs.map(() => 0);
    for (let h = 0; h < 2; h++) {
      for (let s = 0; s < 3; s++) {
        for (let d = 0; d < 4; d++) {
          if (!on(s)) continue;
          const [q, v] = [probs[h * 4 + d]!, ys[s * 4 + d]!];
          loss += v * Math.log(q) + (1 - v) * Math.log1p(-q);
          grad[h * 4 + d]! += (v - q) / (q * (1 - q));
        }
      }
    }
    const r = replay(rec.program, t, y);
    expect(r.loss).toBeCloseTo(loss, 4);
    grad.forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 3));
    rec.program.dispose();
    tf.dispose([t, y, mask]);
  });

  it("sums model_2's form, probs[h, y_prev[s, d], d] per row, through runs shared by rows that differ in a few columns, and on one tape twice", () => {
    // a table [H = 3, 2, D = 6] gathered by the state h and the previous values: rows (h, s) of one h read
    // the same entries except where y_prev is on (sequence 3 differs from 2 in more than half the columns)
    const [H, S, D] = [3, 5, 6];
    const table = Array.from({ length: H * 2 * D }, (_, i) => 0.05 + 0.9 * ((i * 37) % 29) / 29);
    const prev = [[0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0], [1, 1, 0, 1, 1, 1], [0, 0, 1, 0, 0, 0]];
    const ys2 = [[0, 0, 1, 0, 0, 1], [1, 0, 0, 0, 0, 0], [0, 1, 0.25, 0, 0, 0], [1, 0, 0, 1, 0, 1], [0, 0, 0, 0, 0, 0]];
    const on = [true, true, false, true, true];
    const entry = (h: number, s: number, d: number) => h * 2 * D + prev[s]![d]! * D + d;
    const idxs = Array.from({ length: H * S * D }, (_, i) => entry(Math.floor(i / (S * D)), Math.floor(i / D) % S, i % D));
    const loss64 = (tb: readonly number[]) => {
      let a = 0;
      for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) {
        const [q, v] = [tb[entry(h, s, d)]!, ys2[s]![d]!];
        if (on[s]) a += v * Math.log(q) + (1 - v) * Math.log1p(-q);
      }
      return a;
    };
    const grad64 = (tb: readonly number[]) => {
      const g = tb.map(() => 0);
      for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) {
        const e = entry(h, s, d);
        const [q, v] = [tb[e]!, ys2[s]![d]!];
        if (on[s]) g[e]! += (v - q) / (q * (1 - q));
      }
      return g;
    };
    const t = tf.variable(tf.tensor1d(table));
    const y = tf.tensor2d(ys2.flat(), [S, D]);
    const index = tf.tensor3d(idxs, [H, S, D], "int32");
    const mask = tf.tensor3d(on, [1, S, 1], "bool");
    const lossOf = () => plateSumLike(maskedLogProb(bernoulliLogProb(y, gatherFlat(t as tf.Tensor1D, index), "probs"), mask), [2]).sum();
    const rec = record([y], lossOf);
    if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
    rec.result.dispose();
    const program = rec.program;
    // gather, log-mass, mask, plate sum, sum: one op and the final sum
    expect(program.size).toBe(2);
    const check = (tb: readonly number[], times: number, r: { loss: number; grad: number[] }) => {
      expect(r.loss).toBeCloseTo(times * loss64(tb), 3);
      grad64(tb).forEach((g, e) => expect(r.grad[e]).toBeCloseTo(times * g, 2));
    };
    check(table, 1, replay(program, t, y));
    // the gradient against central differences of the float64 loss
    const fd = table.map((_, e) => {
      const [up, down] = [table.slice(), table.slice()];
      up[e]! += 1e-6;
      down[e]! -= 1e-6;
      return (loss64(up) - loss64(down)) / 2e-6;
    });
    const r = replay(program, t, y);
    fd.forEach((g, e) => expect(r.grad[e]).toBeCloseTo(g, 2));
    // new table values; then the program run twice on one tape (the first run's gradient finds its nonzero values again)
    const moved = table.map((q) => 0.8 * q + 0.1);
    t.assign(tf.tensor1d(moved));
    check(moved, 1, replay(program, t, y));
    const { value, grads } = tf.variableGrads(() => (program.run([y]) as tf.Scalar).add((program.run([y]) as tf.Scalar).mul(2)), [t]);
    check(moved, 3, { loss: value.dataSync()[0]!, grad: Array.from(grads[t.name]!.dataSync()) });
    tf.dispose([value, ...Object.values(grads)]);
    program.dispose();
    tf.dispose([t, y, index, mask]);
  });
});
