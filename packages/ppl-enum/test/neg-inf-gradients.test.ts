// The contraction's backward pass at -Infinity factor entries (issue 22 item 1):
// an entry that is impossible has posterior weight 0, so d log Z / d entry is 0,
// not NaN (0 * Infinity), in every ring operation TraceEnumELBO uses: the log
// ring's sum and product, the plate sums, log-matmul and the fused chain kernel.
// The factors are built from tables with -Infinity entries (a whole row of one
// included, so a value of one variable leaves nothing possible for the next);
// d log Z / d table is the exact posterior marginal of each entry, summed over
// where the table is used, written out here in float64; the other parameters'
// gradients are checked against central finite differences of the float64 sum.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, factor, markov, plate, range, sample, vectorizedMarkov, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { assignments, logSumExp } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const NEG = -Infinity;

/** -ELBO and its gradient with respect to each tensor of `xs`, the model built from them. */
function lossAndGrads(elbo: TraceEnumELBO, xs: number[][][], makeModel: (ts: tf.Tensor[]) => Model<[]>) {
  return tf.tidy(() => {
    const f = (...ts: tf.Tensor[]) => elbo.differentiableLoss(makeModel(ts), emptyGuide);
    const { value, grads } = tf.valueAndGrads(f)(xs.map((x) => tf.tensor2d(x)));
    return { loss: value.dataSync()[0]!, grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

/** Central differences of a float64 function at the finite entries of a table; -Infinity entries get 0. */
function finiteDiff(f: (x: number[][]) => number, x: number[][], h = 1e-5): number[] {
  return x.flatMap((row, i) => row.map((v, j) => {
    if (v === NEG) return 0;
    const at = (d: number) => f(x.map((r, a) => r.map((u, b) => (a === i && b === j ? u + d : u))));
    return (at(h) - at(-h)) / (2 * h);
  }));
}

function expectClose(actual: number[], expected: number[], tol = 2e-4): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.every(Number.isFinite)).toBe(true);
  const scale = Math.max(1, ...expected.map(Math.abs));
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!) / scale).toBeLessThan(tol));
}

// log p(z) = prior[0][z]; log-factor table[z][w] with row z = 0 all -Infinity, and one more impossible entry
const prior = [[Math.log(0.3), Math.log(0.7)]];
const table = [[NEG, NEG, NEG], [0.4, NEG, -0.3]];
const wLogits = [[0.2, -0.5, 0.1]];

describe("-Infinity factor entries whose weight is 0 get gradient 0", () => {
  it("two enumerated variables, the inner summed out per value of the outer (log ring sum and product)", () => {
    const makeModel = ([p, t, l]: tf.Tensor[]) => function* () {
      const z = yield* sample("z", dist.Categorical({ logits: p!.reshape([2]) }), en);
      const w = yield* sample("w", dist.Categorical({ logits: l!.reshape([3]) }), en);
      yield* factor("f", vindex(t!, z, w));
    };
    const logZ = (p: number[][], t: number[][], l: number[][]) => {
      const lq = l[0]!.map((x) => x - logSumExp(l[0]!));
      const lp = p[0]!.map((x) => x - logSumExp(p[0]!));
      return logSumExp([...assignments([2, 3])].map(([z, w]) => lp[z!]! + lq[w!]! + t[z!]![w!]!));
    };
    const { loss, grads } = lossAndGrads(new TraceEnumELBO({ maxPlateNesting: 0 }), [prior, table, wLogits], makeModel);
    expect(loss).toBeCloseTo(-logZ(prior, table, wLogits), 5);
    expectClose(grads[0]!, finiteDiff((p) => -logZ(p, table, wLogits), prior));
    expectClose(grads[1]!, finiteDiff((t) => -logZ(prior, t, wLogits), table));
    expectClose(grads[2]!, finiteDiff((l) => -logZ(prior, table, l), wLogits));
  });

  it("a plate of inner variables under a global one (plate sums)", () => {
    const N = 4;
    const makeModel = ([p, t]: tf.Tensor[]) => function* () {
      const z = yield* sample("z", dist.Categorical({ logits: p!.reshape([2]) }), en);
      yield* plate("data", N, function* () {
        const w = yield* sample("w", dist.Categorical(tf.ones([3]).div(3)), en);
        yield* factor("f", vindex(t!, z, w));
      });
    };
    const logZ = (p: number[][], t: number[][]) => {
      const lp = p[0]!.map((x) => x - logSumExp(p[0]!));
      return logSumExp([0, 1].map((z) => lp[z]! + N * logSumExp([0, 1, 2].map((w) => Math.log(1 / 3) + t[z]![w]!))));
    };
    const { loss, grads } = lossAndGrads(new TraceEnumELBO({ maxPlateNesting: 1 }), [prior, table], makeModel);
    expect(loss).toBeCloseTo(-logZ(prior, table), 4);
    expectClose(grads[0]!, finiteDiff((p) => -logZ(p, table), prior));
    expectClose(grads[1]!, finiteDiff((t) => -logZ(prior, t), table));
  });

  // a left-to-right chain written as factors (Categorical refuses -Infinity logits): state 2 absorbs, state 0
  // cannot be re-entered, and the last factor rules out state 1 at the last step
  const init = [[0, -0.4, NEG]];
  const trans = [[-0.2, 0.1, NEG], [NEG, 0.3, -0.6], [NEG, NEG, 0]];
  const T = 5;
  const chainLogZ = (i: number[][], a: number[][]) =>
    logSumExp([...assignments(new Array<number>(T).fill(3))].map((z) =>
      T * Math.log(1 / 3) + z.reduce((s, zt, t) => s + (t === 0 ? i[0]![zt]! : a[z[t - 1]!]![zt]!), 0) + (z[T - 1] === 1 ? NEG : 0)));
  for (const fuseChains of [true, false]) {
    it(`a markov chain with impossible transitions, fuseChains ${fuseChains} (chain kernel / log-matmul)`, () => {
      const makeModel = ([i, a]: tf.Tensor[]) => function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(T), function* (t) {
          const zt = yield* sample(`z_${t}`, dist.Categorical(tf.ones([3]).div(3)), en);
          yield* factor(`f_${t}`, z === undefined ? vindex(i!.reshape([3]), zt) : vindex(a!, z, zt));
          if (t === T - 1) yield* factor("last", vindex(tf.tensor1d([0, NEG, 0]), zt));
          z = zt;
        });
      };
      const { loss, grads } = lossAndGrads(new TraceEnumELBO({ maxPlateNesting: 0, fuseChains }), [init, trans], makeModel);
      expect(loss).toBeCloseTo(-chainLogZ(init, trans), 4);
      expectClose(grads[0]!, finiteDiff((x) => -chainLogZ(x, trans), init));
      expectClose(grads[1]!, finiteDiff((x) => -chainLogZ(init, x), trans));
    });
  }
});

describe("-Infinity entries in the large-joint and batched-chain kernels", () => {
  it("log-matmul (a joint of 2048 entries whose terms split in two groups)", () => {
    // z (16) - w (16) - x (8): eliminating w sums f(z, w) + g(x, w) through one scaled matMul;
    // row z = 0 of f and a column w = 3 of g are impossible, and a scattering of single entries
    const f = Array.from({ length: 16 }, (_, z) => Array.from({ length: 16 }, (_, w) => (z === 0 || (z * w) % 7 === 3 ? NEG : Math.sin(z + 2 * w))));
    const g = Array.from({ length: 8 }, (_, x) => Array.from({ length: 16 }, (_, w) => (w === 3 || (x + w) % 5 === 0 ? NEG : Math.cos(3 * x - w))));
    // h(z, x) closes a cycle, so whichever variable goes first meets a joint of all three (no leaf to sum out cheaply)
    const h = Array.from({ length: 16 }, (_, z) => Array.from({ length: 8 }, (_, x) => 0.3 * Math.sin(z * x)));
    const hT = tf.tensor2d(h);
    const makeModel = ([ft, gt]: tf.Tensor[]) => function* () {
      const z = yield* sample("z", dist.Categorical(tf.ones([16]).div(16)), en);
      const w = yield* sample("w", dist.Categorical(tf.ones([16]).div(16)), en);
      const x = yield* sample("x", dist.Categorical(tf.ones([8]).div(8)), en);
      yield* factor("f", vindex(ft!, z, w));
      yield* factor("g", vindex(gt!, x, w));
      yield* factor("h", vindex(hT, z, x));
    };
    // log Z = log Σ_{z,w,x} exp(f[z][w] + g[x][w] + h[z][x]) / (16·16·8); d log Z / d f[z][w] = P(z, w), d / d g[x][w] = P(x, w)
    const terms = [...assignments([16, 16, 8])].map(([z, w, x]) => ({ z: z!, w: w!, x: x!, v: f[z!]![w!]! + g[x!]![w!]! + h[z!]![x!]! }));
    const logZ = logSumExp(terms.map((t) => t.v));
    const pf = f.map((row) => row.map(() => 0));
    const pg = g.map((row) => row.map(() => 0));
    for (const t of terms) {
      const p = Math.exp(t.v - logZ);
      pf[t.z]![t.w]! += p;
      pg[t.x]![t.w]! += p;
    }
    const { loss, grads } = lossAndGrads(new TraceEnumELBO({ maxPlateNesting: 0 }), [f, g], makeModel);
    expect(loss).toBeCloseTo(-(logZ - Math.log(16 * 16 * 8)), 4);
    expectClose(grads[0]!, pf.flat().map((p) => -p));
    expectClose(grads[1]!, pg.flat().map((p) => -p));
  });

  for (const form of ["loop", "vectorized"] as const) {
    it(`a plate of chains under a global variable, impossible for one of its values (${form})`, () => {
      // every step's factor e[c][member][state]; for c = 0 the chain of member 1 has no possible state:
      // the whole of c = 0 has weight 0 (the fused kernel's batch is (c, member) in the vectorized form)
      const T = 3;
      const e = [[[0, -0.2, 0.3], [NEG, NEG, NEG]], [[0.4, NEG, 0.1], [0, 0.2, NEG]]];
      const trans = [[0.1, NEG, -0.4], [0.2, 0.3, NEG], [NEG, -0.1, 0.5]];
      const memberLogZ = (a: number[][], c: number, m: number) =>
        logSumExp([...assignments([3, 3, 3])].map((z) =>
          T * Math.log(1 / 3) + a[z[0]!]![z[1]!]! + a[z[1]!]![z[2]!]! + z.reduce((s, zt) => s + e[c]![m]![zt]!, 0)));
      const logZ = (a: number[][]) => logSumExp([0, 1].map((c) => Math.log(0.5) + memberLogZ(a, c, 0) + memberLogZ(a, c, 1)));
      const eT = tf.tensor3d(e);
      const members = tf.range(0, 2, 1, "int32");
      const makeModel = ([a]: tf.Tensor[]) => function* () {
        const c = yield* sample("c", dist.Categorical(tf.tensor1d([0.5, 0.5])), en);
        yield* plate("members", 2, { dim: -1 }, function* () {
          let z: tf.Tensor | undefined;
          const body = function* (t: number | string) {
            const zt = yield* sample(`z_${t}`, dist.Categorical(tf.ones([3]).div(3)), en);
            if (z !== undefined) yield* factor(`f_${t}`, vindex(a!, z, zt));
            yield* factor(`e_${t}`, vindex(eT, c, members, zt));
            z = zt;
          };
          if (form === "loop") yield* markov(range(T), (t) => body(t));
          else yield* vectorizedMarkov("time", T, { dim: -2 }, (t) => body(String(t)));
        });
      };
      const { loss, grads } = lossAndGrads(new TraceEnumELBO({ maxPlateNesting: 2 }), [trans], makeModel);
      expect(loss).toBeCloseTo(-logZ(trans), 4);
      expectClose(grads[0]!, finiteDiff((x) => -logZ(x), trans));
    });
  }
});
