// tfjs-backend-wasm's broadcasting binary kernels loop once per run of the output's last merged dim, and
// backend/wasm-high-rank.ts writes out first an input whose broadcast makes many short runs. Each plan it can
// pick (write one input, the other, both; above rank 6 too) against float64 values and the closed-form
// gradient Σ w·∂f/∂input over the elements an input was broadcast to, and bit for bit against the same op
// on inputs broadcast in JS (no broadcast left for the kernel).
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { broadcast, expectGradClose, fixed, offset, onEachBackend, size } from "./fd.js";

interface Op {
  readonly name: string;
  readonly op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  readonly f: (a: number, b: number) => number;
  /** ∂f/∂a and ∂f/∂b; absent for ops with no gradient (comparisons). */
  readonly partials?: (a: number, b: number) => [number, number];
  readonly dtype?: "int32";
}

const OPS: readonly Op[] = [
  { name: "add", op: tf.add, f: (a, b) => a + b, partials: () => [1, 1] },
  { name: "sub", op: tf.sub, f: (a, b) => a - b, partials: () => [1, -1] },
  { name: "mul", op: tf.mul, f: (a, b) => a * b, partials: (a, b) => [b, a] },
  { name: "div", op: tf.div, f: (a, b) => a / b, partials: (a, b) => [1 / b, -a / (b * b)] },
  { name: "maximum", op: tf.maximum, f: Math.max, partials: (a, b) => (a >= b ? [1, 0] : [0, 1]) },
  { name: "greater", op: (a, b) => tf.greater(a, b).cast("float32"), f: (a, b) => (a > b ? 1 : 0) },
  { name: "int32 add", op: tf.add, f: (a, b) => a + b, dtype: "int32" },
];

// [392, 2] × [8, 1, 2] is the Bayesian regression's x.mul(b) over 8 vectorised particles (3 136 runs of 2)
const SHAPES: readonly (readonly [number[], number[], string])[] = [
  [[392, 2], [8, 1, 2], "b written, a folds to [8, 784]"],
  [[8, 392, 1], [8, 392, 2], "a written (broadcast along the last dim)"],
  [[1024, 2], [2], "b written"],
  [[64, 1, 2], [1, 32, 1], "both written"],
  [[2, 1, 2, 1, 2, 1, 200, 2], [1, 2, 1, 2, 1, 2, 1, 2], "rank 8, short runs"],
  [[64, 1, 3], [1, 32, 3], "runs of 3: as they are"],
];

function values(shape: readonly number[], dtype: Op["dtype"], seed: number): number[] {
  const v = fixed(size(shape), 0.5, 1.5, seed);
  return dtype === "int32" ? v.map((x) => Math.floor(x * 4)) : v;
}

function check(o: Op, [as, bs, what]: (typeof SHAPES)[number], seed: number): void {
  const out = broadcast([as, bs]);
  const a = values(as, o.dtype, seed);
  const b = values(bs, o.dtype, seed + 1);
  const at = (x: number[], shape: readonly number[]) => Array.from({ length: size(out) }, (_, k) => x[offset(shape, out, k)]!);
  const [fa, fb] = [at(a, as), at(b, bs)];
  const w = fixed(size(out), -1, 1, seed + 2);
  const label = `${o.name} [${as}] with [${bs}] (${what})`;
  const r = tf.tidy(() => {
    const [ta, tb] = [tf.tensor(a, as, o.dtype), tf.tensor(b, bs, o.dtype)];
    const value = o.op(ta, tb);
    const unbroadcast = o.op(tf.tensor(fa, out, o.dtype), tf.tensor(fb, out, o.dtype));
    const wt = tf.tensor(w, out);
    const grads = o.partials === undefined ? [] : tf.grads((x: tf.Tensor, y: tf.Tensor) => o.op(x, y).mul(wt).sum())([ta, tb]);
    return { shape: value.shape, value: value.dataSync(), unbroadcast: unbroadcast.dataSync(), grads: grads.map((g) => g.dataSync()) };
  });
  expect(r.shape, `${label}: shape`).toEqual(out);
  expectGradClose(r.value, fa.map((x, k) => o.f(x, fb[k]!)), 1e-6, `${label}: value`);
  expect(Array.from(r.value), `${label}: the same as without broadcasting`).toEqual(Array.from(r.unbroadcast));
  if (o.partials === undefined) return;
  const expected = [new Array<number>(a.length).fill(0), new Array<number>(b.length).fill(0)];
  for (let k = 0; k < size(out); k++) {
    const [da, db] = o.partials(fa[k]!, fb[k]!);
    expected[0]![offset(as, out, k)] += w[k]! * da;
    expected[1]![offset(bs, out, k)] += w[k]! * db;
  }
  expectGradClose(r.grads[0]!, expected[0]!, 1e-5, `${label}: d/da`);
  expectGradClose(r.grads[1]!, expected[1]!, 1e-5, `${label}: d/db`);
}

onEachBackend((backend) => {
  it(`binary ops with many short broadcast runs match float64 and the unbroadcast op (${backend})`, () => {
    const before = tf.memory().numTensors;
    OPS.forEach((o, i) => SHAPES.forEach((s, j) => check(o, s, 100 * i + 10 * j + 1)));
    expect(tf.memory().numTensors).toBe(before);
  });
});
