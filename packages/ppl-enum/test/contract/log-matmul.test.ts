// logSumProduct (the log ring's elimination) on joints large enough for its
// scaled-matMul form (log-matmul.ts), against a float64 brute force over the
// joint: values, the gradient of a weighted sum of the outputs (closed form:
// softmax weights, and central finite differences of the brute force), -∞
// entries, and the float32 underflow fallback.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { makeRng } from "ppl-core";
import { logMatMulPlan } from "../../src/contract/log-matmul.js";
import { logSumProduct } from "../../src/contract/logsumexp.js";

interface Term {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

function randomTerm(shape: readonly number[], rand: () => number, scale = 2): Term {
  const n = shape.reduce((a, b) => a * b, 1);
  // values on the float32 grid, so the brute force sees exactly what ppl sees
  return { shape, data: Float64Array.from(new Float32Array(n).map(() => scale * (2 * rand() - 1))) };
}

/** Flat offset into a term (right-aligned, broadcast) for every joint position, in row-major joint order. */
function offsets(shape: readonly number[], joint: readonly number[]): Int32Array {
  const r = joint.length;
  const padded = [...new Array<number>(r - shape.length).fill(1), ...shape];
  const strides = new Array<number>(r).fill(0);
  for (let j = r - 1, acc = 1; j >= 0; j--) {
    strides[j] = padded[j] === 1 ? 0 : acc;
    acc *= padded[j]!;
  }
  const n = joint.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    let rest = o;
    let off = 0;
    for (let j = r - 1; j >= 0; j--) {
      off += (rest % joint[j]!) * strides[j]!;
      rest = Math.floor(rest / joint[j]!);
    }
    out[o] = off;
  }
  return out;
}

/** out[o] = log Σ_k exp(Σ_i t_i), and the gradient of Σ_o w[o]·out[o] to every term, in float64. */
function bruteForce(terms: readonly Term[], joint: readonly number[], w: Float64Array): { out: Float64Array; grads: Float64Array[] } {
  const K = joint[joint.length - 1]!;
  const rows = joint.reduce((a, b) => a * b, 1) / K;
  const offs = terms.map((t) => offsets(t.shape, joint));
  const out = new Float64Array(rows);
  const grads = terms.map((t) => new Float64Array(t.data.length));
  const s = new Float64Array(K);
  for (let o = 0; o < rows; o++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      let v = 0;
      terms.forEach((t, i) => (v += t.data[offs[i]![o * K + k]!]!));
      s[k] = v;
      if (v > m) m = v;
    }
    if (m === -Infinity) {
      out[o] = -Infinity;
      continue;
    }
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(s[k]! - m);
    out[o] = m + Math.log(z);
    for (let k = 0; k < K; k++) {
      const p = Math.exp(s[k]! - out[o]!);
      terms.forEach((_, i) => (grads[i]![offs[i]![o * K + k]!]! += w[o]! * p));
    }
  }
  return { out, grads };
}

function weightedTotal(terms: readonly Term[], joint: readonly number[], w: Float64Array): number {
  const { out } = bruteForce(terms, joint, w);
  // an output that is -∞ stays -∞ under a small change of any finite entry: it adds nothing to the differences
  let total = 0;
  out.forEach((v, o) => (total += v === -Infinity ? 0 : w[o]! * v));
  return total;
}

/** ppl's outputs and the gradient of Σ w·out to every term. */
function ppl(terms: readonly Term[], joint: readonly number[], w: Float64Array): { out: Float32Array; grads: Float32Array[] } {
  const xs = terms.map((t) => tf.tensor(Float32Array.from(t.data), [...t.shape]));
  const wt = tf.tensor(Float32Array.from(w), joint.slice(0, -1));
  const value = logSumProduct(xs, joint);
  const out = value.dataSync() as Float32Array;
  value.dispose();
  const grads = tf.grads((...ins: tf.Tensor[]) => logSumProduct(ins, joint).mul(wt).sum())(xs);
  const gv = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...xs, wt, ...grads]);
  return { out, grads: gv };
}

const tol = (expected: number, scale: number) => 2e-5 * Math.abs(expected) + 2e-6 * scale + 1e-5;

function expectValues(actual: ArrayLike<number>, expected: Float64Array, what: string): void {
  const scale = expected.reduce((a, v) => (Number.isFinite(v) ? Math.max(a, Math.abs(v)) : a), 0);
  for (let o = 0; o < expected.length; o++) {
    const e = expected[o]!;
    const a = actual[o]!;
    if (e === -Infinity) {
      if (a !== -Infinity) expect.fail(`${what}[${o}]: ppl ${a}, brute force -Infinity`);
    } else if (!(Math.abs(a - e) <= tol(e, scale))) expect.fail(`${what}[${o}]: ppl ${a}, brute force ${e}`);
  }
}

function expectGrads(actual: readonly Float32Array[], expected: readonly Float64Array[]): void {
  expected.forEach((e, i) => {
    const scale = e.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    for (let j = 0; j < e.length; j++) {
      const a = actual[i]![j]!;
      if (!(Math.abs(a - e[j]!) <= 1e-4 * Math.abs(e[j]!) + 1e-5 * scale + 1e-6)) {
        expect.fail(`gradient of term ${i} at ${j}: ppl ${a}, closed form ${e[j]}`);
      }
    }
  });
}

/** Central differences of the float64 brute force at `count` random finite entries of each term. */
function expectFiniteDifferences(terms: readonly Term[], joint: readonly number[], w: Float64Array, actual: readonly Float32Array[], rand: () => number, count = 4): void {
  const h = 1e-4;
  terms.forEach((t, i) => {
    for (let c = 0; c < count; c++) {
      const j = Math.floor(rand() * t.data.length);
      if (!Number.isFinite(t.data[j]!)) continue;
      const at = (d: number) => {
        const data = Float64Array.from(t.data);
        data[j] = data[j]! + d;
        return weightedTotal(terms.map((u, k) => (k === i ? { shape: u.shape, data } : u)), joint, w);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      const a = actual[i]![j]!;
      if (!(Math.abs(a - fd) <= 2e-4 * Math.abs(fd) + 1e-4)) expect.fail(`term ${i} entry ${j}: ppl gradient ${a}, finite difference ${fd}`);
    }
  });
}

function weights(joint: readonly number[], rand: () => number): Float64Array {
  const n = joint.slice(0, -1).reduce((a, b) => a * b, 1);
  return Float64Array.from(new Float32Array(n).map(() => 2 * rand() - 1));
}

function check(terms: readonly Term[], joint: readonly number[], seed: number): { out: Float32Array; grads: Float32Array[] } {
  const rand = makeRng(seed);
  const w = weights(joint, rand);
  const truth = bruteForce(terms, joint, w);
  const got = ppl(terms, joint, w);
  expectValues(got.out, truth.out, "log-sum-product");
  expectGrads(got.grads, truth.grads);
  expectFiniteDifferences(terms, joint, w, got.grads, rand);
  return got;
}

/** Whether the forward pass ran a kernel with the joint's size (the direct path) rather than only the matMul form's smaller ones. */
async function buildsJoint(terms: readonly Term[], joint: readonly number[]): Promise<boolean> {
  const xs = terms.map((t) => tf.tensor(Float32Array.from(t.data), [...t.shape]));
  const size = joint.reduce((a, b) => a * b, 1);
  const info = await tf.profile(() => {
    const value = logSumProduct(xs, joint);
    value.dataSync();
    value.dispose();
    return [];
  });
  tf.dispose(xs);
  return info.kernels.some((k) => k.outputShapes.some((s) => (s ?? []).reduce((a, b) => a * b, 1) === size));
}

const CASES: { name: string; joint: number[]; shapes: number[][] }[] = [
  // hmm.py model_6's step: p(x[t] | x[t-2], x[t-1]) against the message and the emissions, x[t-2] eliminated
  { name: "model_6's joint [32,16,16,16]", joint: [32, 16, 16, 16], shapes: [[1, 16, 16, 16], [32, 1, 1, 16], [32, 16, 1, 16]] },
  // a term constant in k that also carries an axis neither group has, and a term over k alone
  { name: "a k-free term with its own axis, a k-only term", joint: [8, 6, 5, 4, 10], shapes: [[8, 6, 1, 1, 10], [1, 6, 5, 1, 10], [8, 1, 1, 4, 1], [1, 1, 1, 1, 10]] },
  // the shared (batch) axes are not the leading ones, so both groups and the product are transposed
  { name: "batch axes in the middle", joint: [6, 5, 7, 3, 16], shapes: [[6, 5, 1, 3, 16], [1, 5, 7, 3, 16]] },
  // four terms: the cheapest split pairs them {A, B} and {C, D}
  { name: "four terms", joint: [10, 9, 8, 8], shapes: [[10, 1, 1, 8], [10, 9, 1, 8], [1, 9, 8, 8], [1, 1, 8, 8]] },
  // a term of lower rank than the joint (right-aligned)
  { name: "a lower-rank term", joint: [32, 16, 16, 16], shapes: [[16, 16, 16], [32, 1, 1, 16]] },
];

describe("logSumProduct as a scaled matMul, against float64 brute force", () => {
  CASES.forEach(({ name, joint, shapes }, c) => {
    it(name, async () => {
      // the matMul form is what runs (otherwise this tests the joint path)
      expect(logMatMulPlan(shapes, joint)).not.toBeNull();
      const rand = makeRng(100 + c);
      const terms = shapes.map((s) => randomTerm(s, rand));
      check(terms, joint, 200 + c);
      if (c === 0) expect(await buildsJoint(terms, joint)).toBe(false);
    });
  });

  it("-∞ entries: -∞ where every term pair is -∞, gradient 0 (not NaN) there", async () => {
    const joint = [32, 16, 16, 16];
    const rand = makeRng(7);
    const [a, b, cTerm] = [[1, 16, 16, 16], [32, 1, 1, 16], [32, 16, 1, 16]].map((s) => randomTerm(s, rand)) as [Term, Term, Term];
    // a: the whole k-row of (x=3, y=5) and scattered single entries; c: the whole k-row of (s=2, x=7)
    for (let k = 0; k < 16; k++) a.data[(3 * 16 + 5) * 16 + k] = -Infinity;
    for (let j = 0; j < a.data.length; j += 37) a.data[j] = -Infinity;
    for (let k = 0; k < 16; k++) cTerm.data[(2 * 16 + 7) * 16 + k] = -Infinity;
    const got = check([a, b, cTerm], joint, 8);
    expect(got.out[(0 * 16 + 3) * 16 + 5]).toBe(-Infinity);
    expect(got.out[(2 * 16 + 7) * 16 + 0]).toBe(-Infinity);
    for (const g of got.grads) for (const v of g) expect(Number.isFinite(v)).toBe(true);
    for (let k = 0; k < 16; k++) expect(Math.abs(got.grads[0]![(3 * 16 + 5) * 16 + k]!)).toBe(0);
    // exact zeros of the scaled products are -∞, not an underflow: the matMul form stays
    expect(await buildsJoint([a, b, cTerm], joint)).toBe(false);
  });

  // a[m, k] peaks at k = m mod 8 and b[n, k] at k = (n + 1) mod 8; off their peaks both are `gap` lower,
  // so where the peaks differ the scaled products are e^gap: 0 in float32 (gap -120) or tiny (gap -80)
  for (const gap of [-120, -80]) {
    it(`float32 underflow of the scaled products (gap ${gap}) falls back to the joint`, async () => {
      const joint = [64, 64, 8];
      const a = { shape: [64, 1, 8], data: new Float64Array(512).map((_, i) => (i % 8 === Math.floor(i / 8) % 8 ? 0 : gap)) };
      const b = { shape: [1, 64, 8], data: new Float64Array(512).map((_, i) => (i % 8 === (Math.floor(i / 8) + 1) % 8 ? 0.5 : gap)) };
      expect(logMatMulPlan([a.shape, b.shape], joint)).not.toBeNull();
      const got = check([a, b], joint, 9);
      for (const v of got.out) expect(Number.isFinite(v)).toBe(true);
      expect(await buildsJoint([a, b], joint)).toBe(true);
    });
  }

  it("leaves no tensor behind", () => {
    const joint = [32, 16, 16, 16];
    const rand = makeRng(11);
    const terms = [[1, 16, 16, 16], [32, 1, 1, 16], [32, 16, 1, 16]].map((s) => randomTerm(s, rand));
    const w = weights(joint, rand);
    ppl(terms, joint, w);
    const before = tf.memory().numTensors;
    ppl(terms, joint, w);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("small joints keep the direct path", () => {
    // the seed HMM's steps: [30, 3, 3]
    expect(logMatMulPlan([[30, 1, 3], [1, 3, 3]], [30, 3, 3])).toBeNull();
  });
});
