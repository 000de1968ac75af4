// A recorded program's elementwise groups (jit/fuse-elementwise.ts): argument-only chains of small
// elementwise kernels replay as one op whose values are tfjs's kernels' to the bit (each op rounded to
// float32, or wrapped to int32), and near the float64 closed form; the gradient in the arguments is the
// closed form's. Steps a variable reaches, and values read outside a group, stay tfjs's kernels.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { record } from "../../src/jit/recorder.js";

// the NILM household's emission scale over two appliances' joint states: √(noise² + s0_i² + s1_j²), [3, 3]
const scale = (noise: tf.Tensor, s0: tf.Tensor, s1: tf.Tensor) =>
  noise.square().add(s0.reshape([3, 1]).square()).add(s1.reshape([1, 3]).square()).sqrt();
const scale64 = (noise: number, s0: readonly number[], s1: readonly number[]) =>
  s0.flatMap((a) => s1.map((b) => Math.sqrt(noise * noise + a * a + b * b)));

function recorded(args: tf.Tensor[], f: () => tf.Tensor) {
  const rec = record(args, f);
  if (rec.program === undefined) throw new Error(`not recorded: ${rec.refused}`);
  rec.result.dispose();
  return rec.program;
}

describe("fuseElementwise", () => {
  it("replays the emission scale's nine kernels as one op: tfjs's float32 values to the bit, the closed form's to round-off", () => {
    const [noise, s0, s1] = [tf.scalar(0.01), tf.tensor1d([0.5, 3, 12]), tf.tensor1d([0.2, 40, 7.5])];
    const program = recorded([noise, s0, s1], () => scale(noise, s0, s1));
    // Square, Reshape, Square, Add, Reshape, Square, Add, Sqrt: one op
    expect(program.size).toBe(1);
    for (const [n, a, b] of [[0.01, [0.5, 3, 12], [0.2, 40, 7.5]], [0.3, [1e-3, 2, 1e4], [5, 0.25, 1 / 3]]] as const) {
      const args = [tf.scalar(n), tf.tensor1d([...a]), tf.tensor1d([...b])];
      const got = program.run(args);
      expect(got.shape).toEqual([3, 3]);
      const kernels = scale(args[0]!, args[1]!, args[2]!);
      expect(Array.from(got.dataSync())).toEqual(Array.from(kernels.dataSync()));
      scale64(n, a, b).forEach((v, i) => expect(Math.abs(got.dataSync()[i]! - v)).toBeLessThan(1e-6 * v));
      tf.dispose([got, kernels, ...args]);
    }
    program.dispose();
    tf.dispose([noise, s0, s1]);
  });

  it("its gradient in the arguments is the closed form's: d/ds0_i Σ_j w_ij √(…) = Σ_j w_ij s0_i / √(…)", () => {
    const [noise, s0, s1] = [tf.scalar(0.1), tf.tensor1d([0.5, 3, 12]), tf.tensor1d([0.2, 4, 7.5])];
    const program = recorded([noise, s0, s1], () => scale(noise, s0, s1).div(tf.scalar(2)));
    const w = [1, -2, 0.5, 3, 0.25, -1, 2, 1, -0.5];
    const wt = tf.tensor2d(w, [3, 3]);
    // fresh argument tensors: the program computes (and the tape records) its argument-only steps for them
    const args = [tf.scalar(0.1), tf.tensor1d([0.5, 3, 12]), tf.tensor1d([0.2, 4, 7.5])];
    const grads = tf.grads((n: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => program.run([n, a, b]).mul(wt).sum())(args);
    const [n, a, b] = [0.1, [0.5, 3, 12], [0.2, 4, 7.5]];
    const root = (i: number, j: number) => Math.sqrt(n * n + a[i]! ** 2 + b[j]! ** 2);
    const want = { n: 0, a: [0, 0, 0], b: [0, 0, 0] };
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const c = w[i * 3 + j]! / 2 / root(i, j);
      want.n += c * n;
      want.a[i]! += c * a[i]!;
      want.b[j]! += c * b[j]!;
    }
    expect(grads[0]!.dataSync()[0]).toBeCloseTo(want.n, 5);
    want.a.forEach((g, i) => expect(grads[1]!.dataSync()[i]).toBeCloseTo(g, 5));
    want.b.forEach((g, j) => expect(grads[2]!.dataSync()[j]).toBeCloseTo(g, 5));
    program.dispose();
    tf.dispose([noise, s0, s1, wt, ...args, ...grads]);
  });

  it("a value read outside a group ends the group there; an integer group wraps as int32 does", () => {
    const x = tf.tensor1d([1.5, -2, 0.1]);
    const k = tf.tensor1d([7, -3, 2 ** 30], "int32");
    // sq is read twice (the Add and the Mul): it stays the Square kernel's, and Add then Mul is one op
    const f = (xs: tf.Tensor, ks: tf.Tensor) => {
      const sq = xs.square();
      const r = sq.sub(xs.div(tf.scalar(3))).mul(sq);
      return tf.concat([r, ks.mul(tf.scalar(4, "int32")).add(tf.scalar(1, "int32")).reshape([3]).cast("float32")]);
    };
    const program = recorded([x, k], () => f(x, k));
    // Square; {Div, Sub, Mul}; {Mul, Add, Reshape}; Cast; Concat
    expect(program.size).toBe(5);
    const args = [tf.tensor1d([0.7, 3, -1e3]), tf.tensor1d([5, -11, 2 ** 29 + 3], "int32")];
    const got = program.run(args);
    const kernels = f(args[0]!, args[1]!);
    expect(Array.from(got.dataSync())).toEqual(Array.from(kernels.dataSync()));
    // 4 · (2^29 + 3) + 1 passes 2^31: int32 wraps it
    expect(got.dataSync()[5]).toBe(Math.fround(((4 * (2 ** 29 + 3) + 1) | 0)));
    program.dispose();
    tf.dispose([x, k, got, kernels, ...args]);
  });

  it("leaves steps a variable reaches to tfjs's kernels", () => {
    const v = tf.variable(tf.tensor1d([0.5, 2]));
    const x = tf.tensor1d([1, 3]);
    const program = recorded([x], () => v.square().add(x.reshape([2])).sqrt().sum());
    // Square, Reshape (argument-only, alone), Add, Sqrt, Sum
    expect(program.size).toBe(5);
    const y = tf.tensor1d([2, 5]);
    const got = program.run([y]);
    expect(got.dataSync()[0]).toBeCloseTo(Math.sqrt(0.25 + 2) + Math.sqrt(4 + 5), 5);
    program.dispose();
    tf.dispose([v, x, y, got]);
  });
});
