// ppl's wasm Slice / StridedSlice / Unpack / SplitV (backend/wasm-slice.ts), which copy only the
// slice's span from the heap (tfjs-backend-wasm 4.22's read the whole input back per slice),
// against a plain-JS row-major slice on random shapes of rank 1-6 with random begin/size
// (size -1, zero sizes, begin at the end), in float32, int32 and bool; the gradients of slice,
// unstack and split against the closed form (the upstream weight scattered into zeros); and,
// on wasm, that no kernel reads its input back (readSync) any more. On cpu the same values come from tfjs's
// own cpu kernels, which ppl leaves alone.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { replaceBrokenWasmKernels } from "../../src/backend/wasm-kernels.js";
import { onEachBackend, size as sizeOf } from "./fd.js";

type Dtype = "float32" | "int32" | "bool";
const DTYPES: readonly Dtype[] = ["float32", "int32", "bool"];

/** A small LCG, so every case is fixed. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** Values exact in every dtype: quarter-integers for float32, integers, 0/1 for bool. */
function valuesFor(n: number, dtype: Dtype, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (dtype === "bool" ? r(2) : dtype === "int32" ? r(2001) - 1000 : (r(4001) - 2000) / 4));
}

/** x[begin : begin + size] in row-major order, by per-element index arithmetic. */
function sliceRef(values: readonly number[], shape: readonly number[], begin: readonly number[], size: readonly number[]): number[] {
  const strides = shape.map((_, a) => sizeOf(shape.slice(a + 1)));
  const out: number[] = [];
  for (let o = 0; o < sizeOf(size); o++) {
    let rem = o;
    let flat = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      flat += (begin[a]! + (rem % size[a]!)) * strides[a]!;
      rem = Math.floor(rem / size[a]!);
    }
    out.push(values[flat]!);
  }
  return out;
}

interface Case {
  shape: number[];
  begin: number[];
  /** As passed to tf.slice (may hold -1). */
  size: number[];
  /** The size -1 stands for. */
  resolved: number[];
}

function randomCase(r: (n: number) => number): Case {
  const rank = 1 + r(6);
  const shape = Array.from({ length: rank }, () => (r(12) === 0 ? 0 : 1 + r(rank > 4 ? 3 : 5)));
  const begin = shape.map((d) => r(d + 1));
  const resolved = shape.map((d, a) => r(d - begin[a]! + 1));
  const size = resolved.map((s, a) => (r(4) === 0 && s === shape[a]! - begin[a]! ? -1 : s));
  return { shape, begin, size, resolved };
}

const read = (t: tf.Tensor): number[] => Array.from(t.dataSync());

onEachBackend((backend) => {
  beforeAll(() => {
    if (backend === "wasm") replaceBrokenWasmKernels();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(`slice matches the JS reference on 300 random shapes of rank 1-6, every dtype (${backend})`, () => {
    const r = rng(13);
    for (let k = 0; k < 300; k++) {
      const c = randomCase(r);
      const dtype = DTYPES[k % 3]!;
      const values = valuesFor(sizeOf(c.shape), dtype, k);
      tf.tidy(() => {
        const y = tf.slice(tf.tensor(values, c.shape, dtype), c.begin, c.size);
        const what = `case ${k}: ${dtype} ${JSON.stringify(c)}`;
        expect(y.shape, what).toEqual(c.resolved);
        expect(y.dtype, what).toBe(dtype);
        expect(read(y), what).toEqual(sliceRef(values, c.shape, c.begin, c.resolved));
      });
    }
  });

  it(`slice edge cases: scalar begin, short begin/size, whole tensor, zero-size, begin at the end (${backend})`, () => {
    const shape = [4, 3, 5];
    const values = valuesFor(60, "float32", 1);
    tf.tidy(() => {
      const x = tf.tensor(values, shape);
      expect(read(tf.slice(tf.tensor1d([1, 2, 3, 4, 5]), 1, 3))).toEqual([2, 3, 4]);
      expect(read(tf.slice(x, [1], [2]))).toEqual(sliceRef(values, shape, [1, 0, 0], [2, 3, 5]));
      expect(read(tf.slice(x, [2, 1]))).toEqual(sliceRef(values, shape, [2, 1, 0], [2, 2, 5]));
      expect(read(tf.slice(x, [0, 0, 0], [-1, -1, -1]))).toEqual(values);
      const empty = tf.slice(x, [1, 0, 2], [2, 0, 3]);
      expect(empty.shape).toEqual([2, 0, 3]);
      expect(empty.size).toBe(0);
      expect(tf.slice(x, [4, 0, 0], [0, 3, 5]).shape).toEqual([0, 3, 5]);
      expect(read(tf.slice(x, [3, 2, 4], [1, 1, 1]))).toEqual([values[59]!]);
    });
  });

  it(`unstack along every axis and split (sizes with -1 and 0) match the reference (${backend})`, () => {
    const shape = [3, 2, 4, 2];
    for (const dtype of DTYPES) {
      const values = valuesFor(sizeOf(shape), dtype, 7);
      tf.tidy(() => {
        const x = tf.tensor(values, shape, dtype);
        for (let axis = 0; axis < shape.length; axis++) {
          const rows = tf.unstack(x, axis);
          expect(rows.length).toBe(shape[axis]);
          rows.forEach((row, i) => {
            const begin = shape.map((_, a) => (a === axis ? i : 0));
            const size = shape.map((d, a) => (a === axis ? 1 : d));
            expect(row.shape).toEqual(shape.filter((_, a) => a !== axis));
            expect(row.dtype).toBe(dtype);
            expect(read(row), `${dtype} axis ${axis} row ${i}`).toEqual(sliceRef(values, shape, begin, size));
          });
        }
        const parts = tf.split(x, [1, 0, -1], 2);
        expect(parts.map((p) => p.shape)).toEqual([[3, 2, 1, 2], [3, 2, 0, 2], [3, 2, 3, 2]]);
        expect(read(parts[0]!)).toEqual(sliceRef(values, shape, [0, 0, 0, 0], [3, 2, 1, 2]));
        expect(read(parts[2]!)).toEqual(sliceRef(values, shape, [0, 0, 1, 0], [3, 2, 3, 2]));
        const halves = tf.split(x, 3, 0);
        halves.forEach((h, i) => expect(read(h)).toEqual(sliceRef(values, shape, [i, 0, 0, 0], [1, 2, 4, 2])));
      });
    }
  });

  it(`stridedSlice: shrink, negative begin, empty range, unit-stride box, strided and reversed picks, every dtype (${backend})`, () => {
    const shape = [5, 4, 3];
    for (const dtype of DTYPES) {
      const values = valuesFor(60, dtype, 3);
      tf.tidy(() => {
        const x = tf.tensor(values, shape, dtype);
        const row = tf.stridedSlice(x, [2], [3], [1], 0, 0, 0, 0, 1);
        expect(row.shape).toEqual([4, 3]);
        expect(row.dtype).toBe(dtype);
        expect(read(row)).toEqual(sliceRef(values, shape, [2, 0, 0], [1, 4, 3]));
        expect(read(tf.stridedSlice(x, [-2], [5], [1]))).toEqual(sliceRef(values, shape, [3, 0, 0], [2, 4, 3]));
        // An empty range (begin past end): tfjs's cpu kernel throws on it (a negative slice size).
        if (backend === "wasm") expect(tf.stridedSlice(x, [3], [1], [1]).shape).toEqual([0, 4, 3]);
        expect(read(tf.stridedSlice(x, [1, 1, 0], [4, 3, 2], [1, 1, 1]))).toEqual(sliceRef(values, shape, [1, 1, 0], [3, 2, 2]));
        const inner = tf.stridedSlice(x, [0, 1, 2], [5, 2, 3], [1, 1, 1], 0, 0, 0, 0, 6);
        expect(inner.shape).toEqual([5]);
        expect(read(inner)).toEqual(sliceRef(values, shape, [0, 1, 2], [5, 1, 1]));
      });
    }
    // Strides other than 1 (wasm's C++ pick for float32; for int32 and bool it returned float32
    // bits, so ppl picks those in JS), and a reversed axis.
    for (const dtype of DTYPES) {
      const values = valuesFor(60, dtype, 4);
      tf.tidy(() => {
        const x = tf.tensor(values, shape, dtype);
        const picked = tf.stridedSlice(x, [0, 0, 0], [5, 4, 3], [2, 3, 1]);
        expect(picked.shape).toEqual([3, 2, 3]);
        expect(picked.dtype).toBe(dtype);
        const expected = [0, 2, 4].flatMap((i) => [0, 3].flatMap((j) => sliceRef(values, shape, [i, j, 0], [1, 1, 3])));
        expect(read(picked), dtype).toEqual(expected);
        // x[4:0:-2, 3:0:-1, 2:0:-2] (with a shrink mask tfjs 4.22 gets negative strides wrong on cpu too)
        const reversed = tf.stridedSlice(x, [4, 3, 2], [0, 0, 0], [-2, -1, -2]);
        expect(reversed.shape).toEqual([2, 3, 1]);
        expect(reversed.dtype).toBe(dtype);
        expect(read(reversed), dtype).toEqual([4, 2].flatMap((i) => [3, 2, 1].map((j) => values[i * 12 + j * 3 + 2]!)));
      });
    }
  });

  // (StridedSlice has no gradient in tfjs 4.22 on any backend.)
  it(`gradients: slice, unstack and split scatter the upstream weights into zeros (${backend})`, () => {
    const shape = [3, 4, 2];
    const x = tf.tensor(valuesFor(24, "float32", 9), shape);
    const w = tf.tensor(Array.from({ length: 8 }, (_, i) => i + 1), [2, 2, 2]);
    const gSlice = tf.grad((y: tf.Tensor) => tf.slice(y, [1, 1, 0], [2, 2, -1]).mul(w).sum())(x);
    const expected = new Array<number>(24).fill(0);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) expected[((1 + i) * 4 + 1 + j) * 2 + k] = 4 * i + 2 * j + k + 1;
    expect(read(gSlice)).toEqual(expected);
    const gUnstack = tf.grad((y: tf.Tensor) => {
      const cols = tf.unstack(y, 1);
      return tf.addN(cols.map((c, i) => c.sum().mul(i === 2 ? 0 : i + 1)));
    })(x);
    expect(read(gUnstack)).toEqual(Array.from({ length: 24 }, (_, f) => [1, 2, 0, 4][Math.floor(f / 2) % 4]!));
    const gSplit = tf.grad((y: tf.Tensor) => {
      const [a, b] = tf.split(y, [1, 2], 0);
      return a!.sum().mul(-2).add(b!.sum());
    })(x);
    expect(read(gSplit)).toEqual(Array.from({ length: 24 }, (_, f) => (f < 8 ? -2 : 1)));
    tf.dispose([x, w, gSlice, gUnstack, gSplit]);
  });

  it(`no tensor or buffer is left behind (${backend})`, () => {
    const x = tf.tensor(valuesFor(64, "float32", 2), [4, 4, 4]);
    const before = tf.memory();
    tf.tidy(() => {
      tf.unstack(x, 2);
      tf.split(x, [1, 3], 1);
      tf.stridedSlice(x, [1], [2], [1], 0, 0, 0, 0, 1);
      tf.slice(x, [0, 1, 1], [2, 2, 2]);
    });
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    x.dispose();
  });

  if (backend === "wasm") {
    it("on wasm no slicing kernel reads its input back from the heap", () => {
      const x = tf.tensor(valuesFor(4 * 6 * 5, "float32", 5), [4, 6, 5]);
      const i = tf.tensor(valuesFor(4 * 6, "int32", 6), [4, 6], "int32");
      const reads = vi.spyOn(tf.backend(), "readSync");
      const made = [
        tf.slice(x, [1, 2, 0], [2, 3, 4]),
        tf.slice(i, [2], [1]),
        ...tf.unstack(x),
        ...tf.unstack(i, 1),
        ...tf.split(x, [2, 3, 1], 1),
        tf.stridedSlice(x, [3], [4], [1], 0, 0, 0, 0, 1),
      ];
      expect(reads).not.toHaveBeenCalled();
      tf.dispose([x, i, ...made]);
    });
  } else {
    it("on cpu the slicing kernels are tfjs's own, not ppl's wasm ones", () => {
      for (const name of [tf.Slice, tf.StridedSlice, tf.Unpack, tf.SplitV]) {
        const cpu = tf.getKernel(name, "cpu");
        expect(cpu, name).toBeDefined();
        expect(cpu!.kernelFunc, name).not.toBe(tf.getKernel(name, "wasm")?.kernelFunc);
      }
    });
  }
});
