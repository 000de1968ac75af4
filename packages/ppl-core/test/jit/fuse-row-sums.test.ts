// Two fusions of a recorded program (jit/fuse.ts) that change no number: the row sums (sumRightmost, an
// Independent log-density summed over its event) an ELBO's weighted sum reads go into the weighted sum, and an
// Identity kernel that is its input's only reader goes. Each replay is checked bit for bit against the same loss
// run by tfjs (value and gradients: the fusions keep the float32 roundings and the order gradients are added in),
// and against the float64 closed form: loss = a Σ v² + b Σ v − 1.25 Σ e^u + 3 Σ 2w, ∂v = 2av + b,
// ∂u = −1.25 e^u, ∂w = 6.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { record } from "../../src/jit/recorder.js";
import { sumRightmost } from "../../src/ops/tensor.js";
import { weightedSum } from "../../src/ops/weighted-sum.js";

const V = [[0.1, 0.2, 0.3, 0.7], [1.3, -2.9, 0.11, 5.5], [-0.4, 0.37, 2.2, 1e-3]];
const U = [0.3, -1.7, 2.05];
const W = [0.25, -3.5];

function closedForm(a: number, b: number) {
  const v = V.flat();
  const sum = (xs: number[], f: (x: number) => number) => xs.reduce((acc, x) => acc + f(x), 0);
  return {
    loss: sum(v, (x) => a * x * x + b * x) - 1.25 * sum(U, Math.exp) + 3 * sum(W, (x) => 2 * x),
    v: v.map((x) => 2 * a * x + b), u: U.map((x) => -1.25 * Math.exp(x)), w: W.map(() => 6),
  };
}

type Loss = (v: tf.Tensor, u: tf.Tensor, w: tf.Tensor) => tf.Scalar;

/** The loss run by tfjs and replayed from its recording: value, gradients, and the program's size. */
function interpretedAndReplayed(loss: Loss) {
  const vars = [tf.variable(tf.tensor2d(V)), tf.variable(tf.tensor2d([U])), tf.variable(tf.tensor1d(W))];
  const f = () => loss(vars[0]!, vars[1]!, vars[2]!);
  const read = (r: { value: tf.Scalar; grads: tf.NamedTensorMap }) => {
    const out = { loss: r.value.dataSync()[0]!, grads: vars.map((x) => Array.from(r.grads[x.name]!.dataSync())) };
    tf.dispose([r.value, ...Object.values(r.grads)]);
    return out;
  };
  const interpreted = read(tf.variableGrads(f, vars));
  const rec = record([], f);
  if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
  rec.result.dispose();
  const replayed = read(tf.variableGrads(() => rec.program.run([]) as tf.Scalar, vars));
  const size = rec.program.size;
  rec.program.dispose();
  tf.dispose(vars);
  return { interpreted, replayed, size };
}

function expectClosedForm(r: { loss: number; grads: number[][] }, a: number, b: number): void {
  const want = closedForm(a, b);
  expect(r.loss).toBeCloseTo(want.loss, 4);
  [want.v, want.u, want.w].forEach((g, i) => g.forEach((x, k) => expect(r.grads[i]![k]).toBeCloseTo(x, 4)));
}

describe("fuseSteps: row sums into the weighted sum, Identity kernels", () => {
  it("folds the row sums the weighted sum reads into it: the tfjs run's numbers to the bit, and the closed form", () => {
    const r = interpretedAndReplayed((v, u, w) =>
      weightedSum([sumRightmost(v.square(), 1), sumRightmost(u.exp(), 1), w.mul(2)], [0.5, -1.25, 3]));
    // Square, Exp, Multiply and the weighted sum: both row sums folded
    expect(r.size).toBe(4);
    expect(r.replayed).toEqual(r.interpreted);
    expectClosedForm(r.replayed, 0.5, 0);
  });

  it("keeps a row sum another op also reads, and one of a value another op reads", () => {
    const r = interpretedAndReplayed((v, u, w) => {
      const sq = v.square();
      const rows = sumRightmost(sq, 1);
      // rows read twice (the second term is 0 · rows); sq read by the row sum and by a third term (0.3 sq)
      return weightedSum([rows, rows.mul(0), sq.mul(0.3), sumRightmost(u.exp(), 1), w.mul(2)], [0.5, 1, 1, -1.25, 3]);
    });
    // Square, its row sum, 0·rows, 0.3 sq, Exp, Multiply and the weighted sum: only u's row sum folded
    expect(r.size).toBe(7);
    expect(r.replayed).toEqual(r.interpreted);
    expectClosedForm(r.replayed, 0.8, 0);
  });

  it("drops an Identity that is its input's only reader; keeps one whose input others read, and the output's", () => {
    const only = interpretedAndReplayed((v, u, w) => {
      const c = tf.clone(v);
      return weightedSum([sumRightmost(c.square(), 1), sumRightmost(c.mul(0.7), 1), sumRightmost(u.exp(), 1), w.mul(2)], [0.5, 1, -1.25, 3]);
    });
    // Square, 0.7 c, Exp, Multiply and the weighted sum: the Identity and the row sums gone
    expect(only.size).toBe(5);
    expect(only.replayed).toEqual(only.interpreted);
    expectClosedForm(only.replayed, 0.5, 0.7);

    const shared = interpretedAndReplayed((v, u, w) => {
      const c = tf.clone(v);
      return tf.clone(weightedSum([sumRightmost(c.square(), 1), v.mul(0.3), c.mul(0.7), sumRightmost(u.exp(), 1), w.mul(2)], [0.5, 1, 1, -1.25, 3]));
    });
    // the Identity, Square, 0.3 v, 0.7 c, Exp, Multiply, the weighted sum and the output's Identity
    expect(shared.size).toBe(8);
    expect(shared.replayed).toEqual(shared.interpreted);
    expectClosedForm(shared.replayed, 0.5, 1);
  });
});
