// vindex: Pyro's Vindex shape table (tests/ops/test_indexing.py SHAPE_EXAMPLES),
// values against an explicit loop over output elements, and the gradient against
// finite differences on both the cpu and the wasm backend.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, PPLShapeError, vindex, type VindexArg } from "ppl-core";
import { markArangeIndex, withStepCache, withStepCacheWhileRunning } from "ppl-core/internal";
import { thrown, vals } from "../helpers.js";

/** An index spec: "...", ":", an integer, or { idx: shape } for an int32 tensor of that shape. */
type Spec = "..." | ":" | number | { idx: number[] };

// [x shape, index spec, expected result shape]; rows in the spirit of Pyro's SHAPE_EXAMPLES,
// plus the enumeration-style indices ([K, 1, 1]) the seed model uses.
const I = (...shape: number[]): Spec => ({ idx: shape });
const SHAPES: [number[], Spec[], number[]][] = [
  [[2], ["..."], [2]],
  [[2], ["...", 0], []],
  [[2], ["...", ":"], [2]],
  [[2], ["...", I(3)], [3]],
  [[2], [0], []],
  [[2], [I(3)], [3]],
  [[2, 3], ["...", I(2)], [2]],
  [[2, 3], ["...", I(4, 1)], [4, 2]],
  [[2, 3], ["...", 0, I(4)], [4]],
  [[2, 3], ["...", ":", I(4)], [4, 2]],
  [[2, 3], ["...", I(4), ":"], [4, 3]],
  [[2, 3], ["...", I(5, 1), I(4)], [5, 4]],
  [[2, 3], [":", I(4)], [4, 2]],
  [[2, 3], [I(4)], [4, 3]],
  [[2, 3], [I(4), I(5, 1)], [5, 4]],
  [[2, 3, 4], ["...", I(2, 3)], [2, 3]],
  [[2, 3, 4], ["...", I(5, 1, 1)], [5, 2, 3]],
  [[2, 3, 4], ["...", I(5, 1), ":"], [5, 2, 4]],
  [[2, 3, 4], ["...", I(5), ":", ":"], [5, 3, 4]],
  [[2, 3, 4], [0, I(5, 1), I(6)], [5, 6]],
  [[2, 3, 4], [":", I(5, 1), I(6)], [5, 6, 2]],
  [[2, 3, 4], [I(6), ":", I(5, 1)], [5, 6, 3]],
  [[2, 3, 4], [I(5), 0, I(5)], [5]],
  // enumeration style: probsTrans[..., z, :] and locs[..., z] with z of shape [K, 1, 1]
  [[4, 4], ["...", I(4, 1, 1), ":"], [4, 1, 1, 4]],
  [[4], ["...", I(4, 1, 1)], [4, 1, 1]],
  [[3, 4, 4], ["...", I(4, 1, 1), ":"], [4, 1, 3, 4]],
  // Pyro's test_hmm_example: Vindex(probs)[x_prev, x_curr, :]
  [[4, 4, 4], [I(4, 1, 1), I(4, 1, 1, 1), ":"], [4, 4, 1, 1, 4]],
];

const specText = (s: Spec[]) => s.map((a) => (typeof a === "object" ? `idx[${a.idx.join(",")}]` : String(a))).join(", ");
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Deterministic pseudo-random integers in [0, n) (an LCG, so tables stay reproducible). */
function ints(count: number, n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  });
}

interface Built {
  args: VindexArg[];
  ref: ({ kind: "..." } | { kind: ":" } | { kind: "int"; v: number } | { kind: "idx"; shape: number[]; data: number[] })[];
}

/** Materialise the spec for x of shape `xShape`, with random valid indices. */
function build(xShape: number[], spec: Spec[], seed: number): Built {
  const nIdx = spec.filter((a) => a !== "...").length;
  const batchRank = spec[0] === "..." ? xShape.length - nIdx : 0;
  const built: Built = { args: [], ref: [] };
  let k = 0;
  for (const a of spec) {
    if (a === "...") {
      built.args.push("...");
      built.ref.push({ kind: "..." });
      continue;
    }
    const n = xShape[batchRank + k]!;
    k++;
    if (a === ":") {
      built.args.push(":");
      built.ref.push({ kind: ":" });
    } else if (typeof a === "number") {
      built.args.push(a);
      built.ref.push({ kind: "int", v: a });
    } else {
      const data = ints(size(a.idx), n, seed + k);
      built.args.push(tf.tensor(data, a.idx, "int32"));
      built.ref.push({ kind: "idx", shape: a.idx, data });
    }
  }
  return built;
}

/**
 * Reference Vindex by an explicit loop over output elements: the output is
 * broadcast(batch dims of x, index shapes) ++ [sizes of the ':' dims], and each
 * element reads x at (batch coords, then per index: its int / the index tensor
 * at the broadcast coords / the next ':' coordinate).
 */
function reference(x: number[], xShape: number[], ref: Built["ref"]): { shape: number[]; data: number[] } {
  const hasEllipsis = ref[0]?.kind === "...";
  const items = ref.filter((r) => r.kind !== "...");
  while (!hasEllipsis && items.length < xShape.length) items.push({ kind: ":" });
  const batchRank = xShape.length - items.length;
  const batchShape = xShape.slice(0, batchRank);
  const idxShapes = items.flatMap((r) => (r.kind === "idx" ? [r.shape] : []));
  const B = Math.max(batchShape.length, ...idxShapes.map((s) => s.length));
  const outBatch = new Array<number>(B).fill(1);
  for (const s of [batchShape, ...idxShapes]) {
    s.forEach((d, i) => {
      const j = B - s.length + i;
      if (d !== 1) outBatch[j] = d;
    });
  }
  const colonSizes = items.flatMap((r, k) => (r.kind === ":" ? [xShape[batchRank + k]!] : []));
  const outShape = [...outBatch, ...colonSizes];
  const xStrides = xShape.map((_, d) => size(xShape.slice(d + 1)));
  /** element of a right-aligned broadcast operand at output batch coords */
  const at = (shape: number[], coords: number[]) => {
    let flat = 0;
    shape.forEach((d, i) => {
      const c = d === 1 ? 0 : coords[B - shape.length + i]!;
      flat = flat * d + c;
    });
    return flat;
  };
  const data: number[] = [];
  const total = size(outShape);
  for (let o = 0; o < total; o++) {
    const coords: number[] = [];
    let rem = o;
    for (let d = outShape.length - 1; d >= 0; d--) {
      coords.unshift(rem % outShape[d]!);
      rem = Math.floor(rem / outShape[d]!);
    }
    const bc = coords.slice(0, B);
    let cc = B;
    let flat = 0;
    for (let d = 0; d < batchRank; d++) {
      const c = batchShape[d] === 1 ? 0 : bc[B - batchRank + d]!;
      flat += c * xStrides[d]!;
    }
    items.forEach((r, k) => {
      const stride = xStrides[batchRank + k]!;
      if (r.kind === ":") flat += coords[cc++]! * stride;
      else if (r.kind === "int") flat += r.v * stride;
      else if (r.kind === "idx") flat += r.data[at(r.shape, bc)]! * stride;
    });
    data.push(x[flat]!);
  }
  return { shape: outShape, data };
}

function xValues(shape: number[]): number[] {
  return Array.from({ length: size(shape) }, (_, i) => i * 1.5 - 7);
}

describe("vindex shape table", () => {
  for (const [xShape, spec, expected] of SHAPES) {
    it(`x[${xShape.join(",")}] [${specText(spec)}] -> [${expected.join(",")}]`, () => {
      const { args, ref } = build(xShape, spec, xShape.length * 31 + spec.length);
      const xData = xValues(xShape);
      const out = vindex(tf.tensor(xData, xShape), ...args);
      expect(out.shape).toEqual(expected);
      const want = reference(xData, xShape, ref);
      expect(want.shape).toEqual(expected); // the reference agrees with Pyro's table too
      expect(vals(out)).toEqual(want.data.map((v) => Math.fround(v)));
    });
  }
});

describe("vindex with enumeration (arange-tagged) indices", () => {
  const K = 4;
  const arange = (shape: number[]) => {
    const t = tf.range(0, K, 1, "int32").reshape(shape);
    markArangeIndex(t);
    return t;
  };
  const cases: [string, number[], () => VindexArg[], number[]][] = [
    ["probs[..., z, :] with z [K,1,1]", [K, K], () => ["...", arange([K, 1, 1]), ":"], [K, 1, 1, K]],
    ["x batch [1,3]: probs[..., z, :]", [1, 3, K, K], () => ["...", arange([K, 1, 1]), ":"], [K, 1, 3, K]],
    ["locs[..., z] with z [K,1]", [K], () => ["...", arange([K, 1])], [K, 1]],
    ["diagonal: x batch [K] with z [K] (must gather)", [K, K, 3], () => ["...", arange([K]), ":"], [K, 3]],
  ];
  for (const [name, xShape, makeArgs, expected] of cases) {
    it(`${name} equals the explicit loop`, () => {
      const xData = xValues(xShape);
      const args = makeArgs();
      const out = vindex(tf.tensor(xData, xShape), ...args);
      expect(out.shape).toEqual(expected);
      const ref: Built["ref"] = args.map((a) =>
        a === "..." ? { kind: "..." } : a === ":" ? { kind: ":" } : typeof a === "number" ? { kind: "int", v: a }
        : { kind: "idx", shape: a.shape, data: vals(a) },
      );
      expect(vals(out)).toEqual(reference(xData, xShape, ref).data.map((v) => Math.fround(v)));
    });
  }
});

describe("vindex errors", () => {
  const x = tf.zeros([2, 3]);
  it("names out-of-range and non-integer indices", () => {
    expect(thrown(() => vindex(x, 0, 3))).toBeInstanceOf(PPLShapeError);
    expect(thrown(() => vindex(x, "...", tf.tensor1d([0, 5], "int32")))).toBeInstanceOf(PPLShapeError);
    expect(thrown(() => vindex(x, tf.tensor1d([0, 1])))).toBeInstanceOf(PPLConfigError);
  });
  it("rejects too many indices and indices that do not broadcast", () => {
    expect(thrown(() => vindex(x, 0, 0, 0))).toBeInstanceOf(PPLShapeError);
    expect(thrown(() => vindex(x, "...", 0, 0, 0))).toBeInstanceOf(PPLShapeError);
    const err = thrown(() => vindex(x, tf.tensor1d([0, 1], "int32"), tf.tensor1d([0, 1, 2], "int32")));
    expect(err).toBeInstanceOf(PPLShapeError);
  });
});

/** Gradient of sum(w * vindex(x, ...)) by tf.grad and by central differences in every x element. */
function checkGradient(xShape: number[], makeArgs: () => VindexArg[]): void {
  const xData = xValues(xShape).map((v) => v / 7);
  const args = makeArgs();
  const outShape = vindex(tf.tensor(xData, xShape), ...args).shape;
  const w = tf.tensor(ints(size(outShape), 7, 99).map((v) => v - 3.25), outShape);
  const f = (x: tf.Tensor) => vindex(x, ...args).mul(w).sum();
  const g = vals(tf.grad(f)(tf.tensor(xData, xShape)));
  const h = 0.5; // f is linear in x, so any step is exact up to rounding
  for (let e = 0; e < xData.length; e++) {
    const up = [...xData];
    const dn = [...xData];
    up[e]! += h;
    dn[e]! -= h;
    const fd = (vals(f(tf.tensor(up, xShape)))[0]! - vals(f(tf.tensor(dn, xShape)))[0]!) / (2 * h);
    expect(Math.abs(g[e]! - fd), `d/dx[${e}]`).toBeLessThan(1e-3);
  }
  // the gradient must not be trivially zero
  expect(g.some((v) => Math.abs(v) > 0.1)).toBe(true);
}

describe("vindex gradient on cpu and wasm", () => {
  for (const backend of ["cpu", "wasm"] as const) {
    it(`matches finite differences on ${backend} (gather path and arange fast path)`, async () => {
      const original = tf.getBackend();
      if (tf.findBackendFactory(backend) == null) await import("@tensorflow/tfjs-backend-wasm");
      expect(await tf.setBackend(backend)).toBe(true);
      try {
        // repeated indices: gradients accumulate
        checkGradient([3, 4], () => ["...", tf.tensor2d([[0, 2, 2], [3, 3, 1]], [2, 3], "int32")]);
        checkGradient([2, 3, 4], () => [":", tf.tensor2d([[1], [0]], [2, 1], "int32"), tf.tensor1d([3, 0, 3], "int32")]);
        checkGradient([4, 4], () => {
          const z = tf.range(0, 4, 1, "int32").reshape([4, 1, 1]);
          markArangeIndex(z);
          return ["...", z, ":"];
        });
      } finally {
        await tf.setBackend(original);
      }
      expect(tf.getBackend()).toBe(original);
    });
  }
});

describe("vindex's step cache for gathered indices", () => {
  it("returns one gather per source, index data and layout within a call, each equal to the explicit lookup", () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const i = tf.tensor1d([2, 0], "int32");
    const same = tf.tensor1d([2, 0], "int32");
    withStepCache(() => {
      const a = vindex(x, "...", i, ":");
      expect(vindex(x, "...", i, ":")).toBe(a);
      expect(vals(a)).toEqual([7, 8, 9, 1, 2, 3]);
      // another layout of the same data, another index tensor: their own results
      expect(vals(vindex(x, "...", ":", i))).toEqual([3, 6, 9, 1, 4, 7]);
      const col = vindex(x, "...", i.reshape([2, 1]), ":");
      expect(col.shape).toEqual([2, 1, 3]);
      expect(vals(vindex(x, "...", same, ":"))).toEqual([7, 8, 9, 1, 2, 3]);
    });
    // a call opened inside the tape: the gradient flows through the shared gather, once per use
    const g = tf.grad((y: tf.Tensor) => withStepCache(() => vindex(y, "...", i, ":").sum().add(vindex(y, "...", i, ":").sum())))(x);
    expect(vals(g)).toEqual([2, 2, 2, 0, 0, 0, 2, 2, 2]);
    tf.dispose([x, i, same, g]);
  });

  it("is open whenever a generator run by withStepCacheWhileRunning resumes, and passes throws into it", () => {
    const x = tf.tensor1d([10, 20, 30]);
    const i = tf.tensor1d([1], "int32");
    function* body(): Generator<string, tf.Tensor[], number> {
      const first = vindex(x, "...", i);
      const got = yield "pause";
      let caught = "";
      try {
        yield "throw here";
      } catch (e) {
        caught = (e as Error).message;
      }
      expect([got, caught]).toEqual([7, "from the driver"]);
      return [first, vindex(x, "...", i)];
    }
    const gen = withStepCacheWhileRunning(body());
    expect(gen.next().value).toBe("pause");
    expect(gen.next(7).value).toBe("throw here");
    const done = gen.throw(new Error("from the driver"));
    const [a, b] = done.value as tf.Tensor[];
    expect(b).toBe(a);
    expect(vals(a)).toEqual([20]);
    tf.dispose([x, i, a]);
  });
});
