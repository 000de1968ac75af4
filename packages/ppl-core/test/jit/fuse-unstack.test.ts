// A recorded program's stack of an unstack's slices (jit/fuse-unstack.ts): it replays as one op, whose
// values are the slices' elements read by hand from the argument's array, for either axis of either op; its
// gradient puts each output's weight back at the element it read. The Unpack stays when a slice is read elsewhere.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { record } from "../../src/jit/recorder.js";

function recorded(args: tf.Tensor[], f: () => tf.Tensor) {
  const rec = record(args, f);
  if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
  rec.result.dispose();
  return rec.program;
}

// x: [2, 6], x[i][j] = 10 i + j + 0.5
const xs = [0, 1].map((i) => [0, 1, 2, 3, 4, 5].map((j) => 10 * i + j + 0.5));
const odd = [5, 1, 3]; // the positions stacked, out of order

describe("fuseUnstacks", () => {
  it("replays a stack (axis 0) of an unstack's (axis 1) odd slices as one gather: x[i][odd[k]] at [k, i]", () => {
    const x = tf.tensor2d(xs);
    const f = (t: tf.Tensor) => { const s = tf.unstack(t, 1); return tf.stack(odd.map((j) => s[j]!), 0); };
    const program = recorded([x], () => f(x));
    const args = [tf.tensor2d(xs.map((r) => r.map((v) => -v)))]; // new argument tensors: the argument steps run again
    const got = program.run(args);
    expect(got.shape).toEqual([3, 2]);
    expect(Array.from(got.dataSync())).toEqual(odd.flatMap((j) => [0, 1].map((i) => -xs[i]![j]!)));
    tf.dispose([got, x, ...args]);
    program.dispose();
  });

  it("keeps the unstack's axis when the stack's is the same (axis -1 both): x[i][odd[k]] at [i, k]", () => {
    const x = tf.tensor2d(xs);
    const f = (t: tf.Tensor) => { const s = tf.unstack(t, 1); return tf.stack(odd.map((j) => s[j]!), -1); };
    const program = recorded([x], () => f(x));
    const got = program.run([x]);
    expect(got.shape).toEqual([2, 3]);
    expect(Array.from(got.dataSync())).toEqual([0, 1].flatMap((i) => odd.map((j) => xs[i]![j]!)));
    tf.dispose([got, x]);
    program.dispose();
  });

  it("an int32 rank-3 argument's middle axis picked onto the last (stack axis 2): x[i][pos[k]][j] at [i, j, k]", () => {
    // x[i][m][j] = 100 i + 10 m + j
    const x3 = [0, 1].map((i) => [0, 1, 2, 3].map((m) => [0, 1, 2].map((j) => 100 * i + 10 * m + j)));
    const pos = [3, 0, 2];
    const x = tf.tensor3d(x3, [2, 4, 3], "int32");
    const f = (t: tf.Tensor) => { const s = tf.unstack(t, 1); return tf.stack(pos.map((m) => s[m]!), 2); };
    const program = recorded([x], () => f(x));
    const arg = tf.tensor3d(x3.map((r) => r.map((c) => c.map((v) => v + 1000))), [2, 4, 3], "int32");
    const got = program.run([arg]);
    expect(got.dtype).toBe("int32");
    expect(got.shape).toEqual([2, 3, 3]);
    expect(Array.from(got.dataSync())).toEqual([0, 1].flatMap((i) => [0, 1, 2].flatMap((j) => pos.map((m) => x3[i]![m]![j]! + 1000))));
    tf.dispose([got, x, arg]);
    program.dispose();
  });

  it("its gradient in the argument is each output's weight at the element it read, zero elsewhere", () => {
    const x = tf.tensor2d(xs);
    const w = [1, -2, 0.5, 3, 0.25, -1];
    const wt = tf.tensor2d(w, [3, 2]);
    const f = (t: tf.Tensor) => { const s = tf.unstack(t, 1); return tf.stack(odd.map((j) => s[j]!), 0); };
    const program = recorded([x], () => f(x).mul(wt).sum());
    const arg = tf.tensor2d(xs);
    const g = tf.grad((t: tf.Tensor) => program.run([t]))(arg);
    const want = [0, 1].flatMap((i) => [0, 1, 2, 3, 4, 5].map((j) => (odd.includes(j) ? w[odd.indexOf(j) * 2 + i]! : 0)));
    expect(Array.from(g.dataSync())).toEqual(want);
    tf.dispose([g, x, arg, wt]);
    program.dispose();
  });

  it("leaves the Unpack when a slice is also read elsewhere: the values are still x's", () => {
    const x = tf.tensor2d(xs);
    const f = (t: tf.Tensor) => { const s = tf.unstack(t, 1); return tf.stack(odd.map((j) => s[j]!), 0).add(s[0]!); };
    const program = recorded([x], () => f(x));
    const got = program.run([tf.tensor2d(xs)]);
    expect(Array.from(got.dataSync())).toEqual(odd.flatMap((j) => [0, 1].map((i) => xs[i]![j]! + xs[i]![0]!)));
    tf.dispose([got, x]);
    program.dispose();
  });
});
