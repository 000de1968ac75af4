// The tfjs ops a model, the enumeration and the contraction use, and their
// gradients, at ranks 7–12 on cpu and wasm, against float64 references
// written here in plain JS (values) and central finite differences of them
// (gradients). tfjs-backend-wasm's binary ops and PadV2 were silently wrong
// above rank 6 (docs/tfjs-notes.md §4); backend/wasm-high-rank.ts replaces them.
// Each gradient is d/dx Σ w·f(x) for a fixed weight tensor w, so the product
// with w runs at the tested rank too.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { broadcast, centralDiff, expectGradClose, fixed, offset, onEachBackend, size } from "./fd.js";

/** A float64 n-d array, row-major. */
interface Nd {
  readonly shape: readonly number[];
  readonly v: number[];
}

function unravel(o: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = o % shape[d]!;
    o = Math.floor(o / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}

/** The array of `shape` whose element at multi-index i is at(i). */
function build(shape: readonly number[], at: (idx: number[]) => number): Nd {
  return { shape, v: Array.from({ length: size(shape) }, (_, o) => at(unravel(o, shape))) };
}

const at = (x: Nd, idx: readonly number[]): number => x.v[ravel(idx, x.shape)]!;

/** Elementwise f over the numpy broadcast of the arguments. */
function zip(f: (...xs: number[]) => number, ...args: Nd[]): Nd {
  const out = broadcast(args.map((a) => a.shape));
  return { shape: out, v: Array.from({ length: size(out) }, (_, o) => f(...args.map((a) => a.v[offset(a.shape, out, o)]!))) };
}

/** Reduce `axes` of x with `f` over each group's values. */
function reduce(x: Nd, axes: readonly number[], f: (vals: number[]) => number, keepDims = false): Nd {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = Array.from({ length: size(kept) }, () => [] as number[]);
  x.v.forEach((val, o) => groups[ravel(unravel(o, x.shape).map((k, i) => (axes.includes(i) ? 0 : k)), kept)]!.push(val));
  return { shape: keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)), v: groups.map(f) };
}

const sum = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
const lse = (vs: number[]) => {
  const m = Math.max(...vs);
  return m + Math.log(sum(vs.map((u) => Math.exp(u - m))));
};

/** The shapes a rank-r case uses: `full` has sizes 1, 2 and 3, `left`/`right` broadcast against each other and `full`. */
function shapesAt(r: number) {
  const full = [2, 3, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2].slice(0, r);
  return {
    full,
    left: full.map((d, i) => (i % 3 === 0 ? 1 : d)),
    right: full.map((d, i) => (i % 2 === 1 ? 1 : d)).slice(1),
    // the first 7 axes alternate which side broadcasts: no fold reaches rank 6, wasm's kernel sees a written-out copy
    evens: Array.from({ length: r }, (_, i) => (i < 7 && i % 2 === 0 ? 2 : 1)),
    odds: Array.from({ length: r }, (_, i) => (i < 7 && i % 2 === 1 ? 2 : 1)),
  };
}

interface Case {
  readonly name: string;
  readonly inputs: readonly (readonly number[])[];
  /** Value range of the inputs (default [0.5, 1.5]). */
  readonly range?: readonly [number, number];
  readonly op: (...xs: tf.Tensor[]) => tf.Tensor;
  readonly ref: (...xs: Nd[]) => Nd;
  /** Differentiate (default true). */
  readonly grad?: boolean;
}

function casesAt(r: number): Case[] {
  const { full, left, right, evens, odds } = shapesAt(r);
  const all = full.map((_, i) => i);
  const perm = all.slice().reverse();
  const shuffle = all.map((i) => (i * 5 + 2) % r).every((p, _, a) => a.indexOf(p) === a.lastIndexOf(p))
    ? all.map((i) => (i * 5 + 2) % r)
    : perm;
  const begin = full.map((d) => (d > 1 ? 1 : 0));
  const sliceSize = full.map((d) => (d > 1 ? d - 1 : 1));
  const reps = left.map((_, i) => (i % 4 === 0 ? 2 : 1));
  // padded on three axes (the slice's gradient pads on every axis it cut, which the slice case covers)
  const pads = full.map((_, i) => (i === 0 || i === 3 || i === r - 1 ? [i % 2, 1] : [0, 0]) as [number, number]);
  const batch = full.slice(0, r - 2).map((d, i) => (i < 4 ? d : 1));
  const picks = [2, 0, 2, 1];
  const binary = (name: string, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, f: (a: number, b: number) => number, grad = true): Case[] => [
    { name: `${name} [${left}] with [${right}]`, inputs: [left, right], op, ref: (a, b) => zip(f, a, b), grad },
    { name: `${name} [${evens}] with [${odds}] (no fold)`, inputs: [evens, odds], op, ref: (a, b) => zip(f, a, b), grad },
  ];
  return [
    ...binary("add", tf.add, (a, b) => a + b),
    ...binary("sub", tf.sub, (a, b) => a - b),
    ...binary("mul", tf.mul, (a, b) => a * b),
    ...binary("div", tf.div, (a, b) => a / b),
    ...binary("pow", tf.pow, (a, b) => a ** b),
    ...binary("maximum", tf.maximum, Math.max),
    ...binary("minimum", tf.minimum, Math.min),
    ...binary("squaredDifference", tf.squaredDifference, (a, b) => (a - b) ** 2),
    ...binary("greater", (a, b) => tf.greater(a, b).cast("float32"), (a, b) => (a > b ? 1 : 0), false),
    ...binary("equal", (a, b) => tf.equal(a, b).cast("float32"), (a, b) => (a === b ? 1 : 0), false),
    { name: "add a scalar", inputs: [full], op: (x) => x.add(1.5), ref: (x) => zip((a) => a + 1.5, x) },
    { name: "int32 add", inputs: [left, right], grad: false,
      op: (a, b) => tf.add(a.mul(4).floor().cast("int32"), b.mul(4).floor().cast("int32")).cast("float32"),
      ref: (a, b) => zip((p, q) => Math.floor(p * 4) + Math.floor(q * 4), a, b) },
    { name: "where (broadcast condition and branches)", inputs: [left, left, right],
      op: (c, a, b) => tf.where(tf.greater(c, 1), a, b), ref: (c, a, b) => zip((p, q, s) => (p > 1 ? q : s), c, a, b) },
    { name: "exp, log, neg", inputs: [full], op: (x) => x.log().exp().mul(x.neg()), ref: (x) => zip((a) => -a * a, x) },
    { name: "sum over the first, third and last axes", inputs: [full], op: (x) => x.sum([0, 2, r - 1]), ref: (x) => reduce(x, [0, 2, r - 1], sum) },
    { name: "sum over axis 1, keepDims", inputs: [full], op: (x) => x.sum(1, true), ref: (x) => reduce(x, [1], sum, true) },
    { name: "max over two axes", inputs: [full], op: (x) => x.max([1, r - 2]), ref: (x) => reduce(x, [1, r - 2], (v) => Math.max(...v)) },
    { name: "min over axis 0", inputs: [full], op: (x) => x.min(0), ref: (x) => reduce(x, [0], (v) => Math.min(...v)) },
    { name: "logSumExp over axes 1 and 3", inputs: [full], range: [-3, 3], op: (x) => tf.logSumExp(x, [1, 3]), ref: (x) => reduce(x, [1, 3], lse) },
    { name: "logSoftmax over the last axis", inputs: [full], range: [-3, 3], op: (x) => tf.logSoftmax(x),
      ref: (x) => build(x.shape, (i) => at(x, i) - lse(Array.from({ length: x.shape[r - 1]! }, (_, k) => at(x, [...i.slice(0, -1), k])))) },
    { name: "transpose (reversed)", inputs: [full], op: (x) => x.transpose(perm), ref: (x) => build(perm.map((p) => x.shape[p]!), (i) => at(x, all.map((a) => i[perm.indexOf(a)]!))) },
    { name: `transpose [${shuffle}]`, inputs: [full], op: (x) => x.transpose(shuffle),
      ref: (x) => build(shuffle.map((p) => x.shape[p]!), (i) => at(x, all.map((a) => i[shuffle.indexOf(a)]!))) },
    { name: "slice", inputs: [full], op: (x) => x.slice(begin, sliceSize), ref: (x) => build(sliceSize, (i) => at(x, i.map((k, d) => k + begin[d]!))) },
    { name: "gather along axis 1 (repeated indices)", inputs: [full], op: (x) => tf.gather(x, tf.tensor1d(picks, "int32"), 1),
      ref: (x) => build(full.map((d, i) => (i === 1 ? picks.length : d)), (i) => at(x, i.map((k, d) => (d === 1 ? picks[k]! : k)))) },
    { name: `tile by [${reps}]`, inputs: [left], op: (x) => x.tile(reps), ref: (x) => build(left.map((d, i) => d * reps[i]!), (i) => at(x, i.map((k, d) => k % left[d]!))) },
    { name: "broadcastTo the full shape", inputs: [left], op: (x) => tf.broadcastTo(x, full), ref: (x) => zip((a) => a, x, { shape: full, v: new Array(size(full)).fill(0) }) },
    { name: "expandDims then mul", inputs: [full.slice(1)], op: (x) => x.expandDims(2).mul(2), ref: (x) => build([...full.slice(1, 3), 1, ...full.slice(3)], (i) => 2 * at(x, [...i.slice(0, 2), ...i.slice(3)])) },
    { name: "pad", inputs: [full], op: (x) => x.pad(pads, 0.25),
      ref: (x) => build(full.map((d, i) => pads[i]![0] + d + pads[i]![1]), (i) => {
        const j = i.map((k, d) => k - pads[d]![0]);
        return j.every((k, d) => k >= 0 && k < full[d]!) ? at(x, j) : 0.25;
      }) },
    { name: "concat along axis 3", inputs: [full, full], op: (a, b) => tf.concat([a, b], 3),
      ref: (a, b) => build(full.map((d, i) => (i === 3 ? 2 * d : d)), (i) => (i[3]! < full[3]! ? at(a, i) : at(b, i.map((k, d) => (d === 3 ? k - full[3]! : k))))) },
    { name: "stack at axis 2", inputs: [full.slice(1), full.slice(1)], op: (a, b) => tf.stack([a, b], 2),
      ref: (a, b) => build([...full.slice(1, 3), 2, ...full.slice(3)], (i) => at(i[2] === 0 ? a : b, [...i.slice(0, 2), ...i.slice(3)])) },
    { name: "cumsum along axis 3", inputs: [full], op: (x) => tf.cumsum(x, 3),
      ref: (x) => build(full, (i) => sum(Array.from({ length: i[3]! + 1 }, (_, k) => at(x, i.map((q, d) => (d === 3 ? k : q)))))) },
    { name: "batched matMul", inputs: [[...batch, 2, 3], [...batch, 3, 2]], op: (a, b) => tf.matMul(a, b),
      ref: (a, b) => build([...batch, 2, 2], (i) => {
        const lead = i.slice(0, -2);
        return sum([0, 1, 2].map((k) => at(a, [...lead, i[r - 2]!, k]) * at(b, [...lead, k, i[r - 1]!])));
      }) },
    { name: "oneHot of int32 indices", inputs: [full], grad: false, op: (x) => tf.oneHot(x.mul(2).floor().cast("int32"), 3).cast("float32"),
      ref: (x) => build([...full, 3], (i) => (Math.floor(at(x, i.slice(0, -1)) * 2) === i[r]! ? 1 : 0)) },
  ];
}

function runCase(c: Case, seed: number): void {
  const [lo, hi] = c.range ?? [0.5, 1.5];
  const xs: Nd[] = c.inputs.map((s, k) => ({ shape: s, v: fixed(size(s), lo, hi, seed + 97 * k) }));
  const expected = c.ref(...xs);
  const w = fixed(size(expected.shape), -1, 1, seed + 13);
  const { value, shape, grads } = tf.tidy(() => {
    const ts = xs.map((x) => tf.tensor(x.v, [...x.shape]));
    const out = c.op(...ts);
    const wt = tf.tensor(w, out.shape);
    const g = c.grad === false ? [] : tf.grads((...ys: tf.Tensor[]) => c.op(...ys).mul(wt).sum())(ts);
    return { value: Array.from(out.dataSync()), shape: out.shape, grads: g.map((t) => Array.from(t.dataSync())) };
  });
  expect(shape, `${c.name}: shape`).toEqual([...expected.shape]);
  expectGradClose(value, expected.v, 1e-5, `${c.name}: value`);
  if (c.grad === false) return;
  xs.forEach((x, k) => {
    const loss = (vals: number[]) => {
      const out = c.ref(...xs.map((y, j) => (j === k ? { shape: y.shape, v: vals } : y)));
      return out.v.reduce((s, u, o) => s + u * w[o]!, 0);
    };
    expectGradClose(grads[k]!, centralDiff(x.v, loss), 1e-4, `${c.name}: d/d input ${k}`);
  });
}

onEachBackend((backend) => {
  for (let r = 7; r <= 12; r++) {
    it(`rank ${r}: every op's value and gradient match float64 (${backend})`, () => {
      const before = tf.memory().numTensors;
      for (const c of casesAt(r)) runCase(c, 1000 * r + 7);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
