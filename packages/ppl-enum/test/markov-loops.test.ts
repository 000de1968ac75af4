// A markov loop reaches the plan stacked along time (terms/markov-loops.ts,
// terms/stack-steps.ts): which loops are first-order time chains and how their
// factors line up (structure on hand-made factor shapes), the stacking's values
// and gradient against closed forms, and loops that fuse (a factorial state, an
// enumerated global outside the loop, emissions in a nested plate, computeMarginals' offsets) or do not
// (history 2) against float64 brute-force sums.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it, vi } from "vitest";
import { dist, markov, plate, range, sample, trace, vindex, withHandler } from "ppl-core";
import type { Model } from "ppl-core";
import { withStepCache } from "ppl-core/internal";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { MapRing } from "../src/contract/rings.js";
import { EnumMessenger } from "../src/enum/enum-handler.js";
import { collectTerms } from "../src/terms/collect.js";
import { varDim } from "../src/terms/dims.js";
import { type FactorShape, type LoopVar, findLoopChains } from "../src/terms/markov-loops.js";
import { BatchRows, stackRole } from "../src/terms/stack-steps.js";
import { assignments, bruteForce, logSumExp, normalLogPdf, relErr } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

describe("findLoopChains", () => {
  const chain = {};
  const loop = (step: number) => ({ chain, step });
  // an HMM of 4 steps, dims recycled: z_t is v<t>, its transition lists (curr, prev) at odd t and (prev, curr) at even t
  const hmm = (): { factors: FactorShape[]; vars: Map<string, LoopVar> } => {
    const factors: FactorShape[] = [];
    const vars = new Map<string, LoopVar>();
    for (let t = 0; t < 4; t++) {
      vars.set(`v${t}`, { chain, step: t, index: 0 });
      const trans = t === 0 ? [`v0`] : t % 2 === 1 ? [`v${t}`, `v${t - 1}`] : [`v${t - 1}`, `v${t}`];
      factors.push({ dims: trans, sizes: trans.map(() => 3), ordinal: [], loop: loop(t) });
      factors.push({ dims: [`v${t}`], sizes: [3], ordinal: [], loop: loop(t) });
    }
    return { factors, vars };
  };
  const isVar = (d: string) => d.startsWith("v");
  const sizes = (n: number) => new Map(Array.from({ length: n }, (_, t) => [`v${t}`, 3]));

  it("an HMM: z_0's prior is the initial term, the transitions a step role, the emissions a role over every step", () => {
    const { factors, vars } = hmm();
    const [c] = findLoopChains(factors, vars, isVar, sizes(4));
    expect(c!.state).toEqual([["v0"], ["v1"], ["v2"], ["v3"]]);
    expect(c!.init).toEqual([0]);
    const [trans, emit] = c!.roles;
    expect(trans).toMatchObject({ members: [2, 4, 6], from: 1, dims: ["v1", "v0"] });
    // even steps list (prev, curr): transposed into the role's (curr, prev)
    expect(trans!.perms).toEqual([null, [1, 0], null]);
    expect(emit).toMatchObject({ members: [1, 3, 5, 7], from: 0, dims: ["v1"], perms: [null, null, null, null] });
  });

  // two chains x (v<2t>) and y (v<2t+1>) of 4 steps, an emission on both; y's transition also reads the previous x when `coupled`
  const twoChains = (coupled: boolean): { factors: FactorShape[]; vars: Map<string, LoopVar> } => {
    const factors: FactorShape[] = [];
    const vars = new Map<string, LoopVar>();
    for (let t = 0; t < 4; t++) {
      const [x, y] = [`v${2 * t}`, `v${2 * t + 1}`];
      vars.set(x, { chain, step: t, index: 0 });
      vars.set(y, { chain, step: t, index: 1 });
      const xTrans = t === 0 ? [x] : [`v${2 * t - 2}`, x];
      const yTrans = t === 0 ? [y] : coupled ? [`v${2 * t - 2}`, `v${2 * t - 1}`, y] : [`v${2 * t - 1}`, y];
      for (const dims of [xTrans, yTrans, [x, y]]) factors.push({ dims, sizes: dims.map(() => 10), ordinal: [], loop: loop(t) });
    }
    return { factors, vars };
  };
  const sizes10 = new Map(Array.from({ length: 8 }, (_, i) => [`v${i}`, 10]));

  it("a state of one variable, or of variables with transitions of their own, fuses at any size; a coupled state only up to MAX_PAIRED_STATES", () => {
    const big = hmm();
    const [one] = findLoopChains(big.factors, big.vars, isVar, new Map([...sizes(4)].map(([d]) => [d, 65])));
    expect(one?.sizes).toEqual([65]);
    const factorial = twoChains(false);
    const [both] = findLoopChains(factorial.factors, factorial.vars, isVar, sizes10);
    expect(both?.state).toEqual([["v0", "v1"], ["v2", "v3"], ["v4", "v5"], ["v6", "v7"]]);
    expect(both?.sizes).toEqual([10, 10]);
    const coupled = twoChains(true);
    expect(findLoopChains(coupled.factors, coupled.vars, isVar, sizes10)).toEqual([]);
    const small = new Map([...sizes10].map(([d]) => [d, 8]));
    expect(findLoopChains(coupled.factors, coupled.vars, isVar, small)).toHaveLength(1);
  });

  it("not a time chain: history 2, a state used outside the loop, too few steps", () => {
    const reachBack = hmm();
    reachBack.factors.push({ dims: ["v3", "v1"], sizes: [3, 3], ordinal: [], loop: loop(3) });
    expect(findLoopChains(reachBack.factors, reachBack.vars, isVar, sizes(4))).toEqual([]);
    const readAfter = hmm();
    readAfter.factors.push({ dims: ["v3"], sizes: [3], ordinal: [], loop: undefined });
    expect(findLoopChains(readAfter.factors, readAfter.vars, isVar, sizes(4))).toEqual([]);
    const short = hmm();
    const two = short.factors.filter((f) => f.loop!.step < 2);
    expect(findLoopChains(two, new Map([...short.vars].filter(([, v]) => v.step < 2)), isVar, sizes(2))).toEqual([]);
  });
});

describe("stackRole", () => {
  const role = (members: number[], perms: (number[] | null)[], sumAxes: number[] = []) =>
    ({ members, from: 1 as const, perms, sumAxes, dims: ["a", "b"], sizes: [2, 3], ordinal: [] });

  it("rows of two batches are woven along time: step i is row ⌊i/2⌋ of batch i mod 2", () => {
    const even = tf.tensor3d([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]);
    const odd = even.add(100);
    const sources = [0, 1, 2, 3].map((i) => ({ batch: i % 2 === 0 ? even : odd, row: Math.floor(i / 2) }));
    const { data, timed } = stackRole(role([0, 1, 2, 3], [null, null, null, null]), sources, new BatchRows());
    expect(timed).toBe(true);
    const rows = data.arraySync() as number[][][];
    expect(rows.map((r) => r[0]![0])).toEqual([1, 101, 7, 107]);
    // with a deeper plate on axis 1 of a row: each batch is summed over it first (a product over its members)
    const summed = stackRole(role([0, 1, 2, 3], [null, null, null, null], [1]), sources, new BatchRows());
    expect(summed.data.arraySync()).toEqual([[6, 15], [306, 315], [24, 33], [324, 333]]);
  });

  it("two pieces with a transpose spread over the steps; each piece's gradient sums its steps", () => {
    const p = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const q = tf.tensor2d([[10, 40], [20, 50], [30, 60]]); // stored (b, a): transposed into (a, b)
    const at = [0, 1, 0];
    const sources = at.map((k) => ({ tensor: k === 0 ? p : q }));
    const perms = at.map((k) => (k === 0 ? null : [1, 0]));
    const w = tf.tensor3d([[[1, 1, 1], [1, 1, 1]], [[2, 2, 2], [2, 2, 2]], [[3, 3, 3], [3, 3, 3]]]);
    const f = (a: tf.Tensor, b: tf.Tensor) => stackRole(role([0, 1, 2], perms), [{ tensor: a }, { tensor: b }, { tensor: a }], new BatchRows()).data.mul(w).sum();
    const stacked = stackRole(role([0, 1, 2], perms), sources, new BatchRows());
    expect(stacked.data.arraySync()).toEqual([[[1, 2, 3], [4, 5, 6]], [[10, 20, 30], [40, 50, 60]], [[1, 2, 3], [4, 5, 6]]]);
    const [gp, gq] = tf.grads(f)([p, q]);
    // p sits at steps 0 and 2 (weights 1 + 3), q at step 1 (weight 2), transposed back
    expect(gp!.arraySync()).toEqual([[4, 4, 4], [4, 4, 4]]);
    expect(gq!.arraySync()).toEqual([[2, 2], [2, 2], [2, 2]]);
  });

  it("a deeper plate is summed out of each piece after its transpose", () => {
    const p = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const q = tf.tensor2d([[10, 40], [20, 50], [30, 60]]);
    const { data } = stackRole(role([0, 1], [null, [1, 0]], [1]), [{ tensor: p }, { tensor: q }], new BatchRows());
    expect(data.arraySync()).toEqual([[6, 15], [60, 150]]);
  });

  it("one tensor at every step stays that tensor, without a time dim", () => {
    const p = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const { data, timed } = stackRole(role([0, 1, 2], [null, null, null]), [{ tensor: p }, { tensor: p }, { tensor: p }], new BatchRows());
    expect(timed).toBe(false);
    expect(data).toBe(p);
  });
});

/** How many loops collectTerms stacked along time for `model`'s enumerated trace. */
function fusedLoops(model: Model<[]>, firstDim: number): number {
  return withStepCache(() => tf.tidy(() => {
    const messenger = new EnumMessenger(firstDim);
    const tr = trace(withHandler(model, () => messenger)).getTrace();
    return collectTerms(tr, "elbo").loops.length;
  }));
}

const lossOf = (model: Model<[]>, nesting: number) => new TraceEnumELBO({ maxPlateNesting: nesting }).loss(model, emptyGuide);

describe("loops against float64 brute force", () => {
  const T = 4;
  const ys = [0.3, 2.1, -0.4, 1.7];
  const A = [[0.7, 0.3], [0.25, 0.75]];
  const B = [[0.6, 0.4], [0.1, 0.9]];
  const locs = [[-1, 0.5], [1, 2.5]];

  it("a factorial state (two chains, an emission on both) is one chain over their product", () => {
    const [tA, tB, tLocs] = [tf.tensor2d(A), tf.tensor2d(B), tf.tensor2d(locs)];
    const model: Model<[]> = function* () {
      let w: tf.Tensor | undefined;
      let x: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        w = yield* sample(`w_${t}`, dist.Categorical(w === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(tA, "...", w, ":")), en);
        x = yield* sample(`x_${t}`, dist.Categorical(x === undefined ? tf.tensor1d([0.2, 0.8]) : vindex(tB, "...", x, ":")), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(tLocs, "...", w, x), 1), { obs: tf.scalar(ys[t]!) });
      });
    };
    expect(fusedLoops(model, -1)).toBe(1);
    const truth = bruteForce(new Array<number>(2 * T).fill(2), (a) => {
      let lp = 0;
      for (let t = 0; t < T; t++) {
        const [w, x] = [a[2 * t]!, a[2 * t + 1]!];
        lp += Math.log(t === 0 ? 0.5 : A[a[2 * t - 2]!]![w]!) + Math.log(t === 0 ? [0.2, 0.8][x]! : B[a[2 * t - 1]!]![x]!);
        lp += normalLogPdf(ys[t]!, locs[w]![x]!, 1);
      }
      return lp;
    });
    expect(relErr(-lossOf(model, 0), truth)).toBeLessThan(1e-5);
    // the MAP path: the arg max of the same joint
    let best = -Infinity;
    let arg: number[] = [];
    for (const a of assignments(new Array<number>(2 * T).fill(2))) {
      let lp = 0;
      for (let t = 0; t < T; t++) {
        const [w, x] = [a[2 * t]!, a[2 * t + 1]!];
        lp += Math.log(t === 0 ? 0.5 : A[a[2 * t - 2]!]![w]!) + Math.log(t === 0 ? [0.2, 0.8][x]! : B[a[2 * t - 1]!]![x]!) + normalLogPdf(ys[t]!, locs[w]![x]!, 1);
      }
      if (lp > best) [best, arg] = [lp, [...a]];
    }
    const tr = trace(inferDiscrete(model, { temperature: 0, firstAvailableDim: -1 })).getTrace();
    const got = Array.from({ length: T }, (_, t) => [tr.sampleSite(`w_${t}`).value.dataSync()[0]!, tr.sampleSite(`x_${t}`).value.dataSync()[0]!]).flat();
    expect(got).toEqual(arg);
  });

  it("the MAP decode of two 3-state chains meeting in an emission takes the factorial kernel (MapRing pairs only up to 4 states), the loss pairs them; the MAP path is the brute-force arg max", () => {
    const A3 = [[0.8, 0.15, 0.05], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]];
    const B3 = [[0.5, 0.3, 0.2], [0.05, 0.9, 0.05], [0.3, 0.3, 0.4]];
    const locs3 = [[-1, 0.2, 1.1], [0.4, 1.6, 2.3], [1.2, 2.2, 3.5]];
    const init = [0.5, 0.3, 0.2];
    const [tA, tB, tLocs] = [tf.tensor2d(A3), tf.tensor2d(B3), tf.tensor2d(locs3)];
    const model: Model<[]> = function* () {
      let w: tf.Tensor | undefined;
      let x: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        w = yield* sample(`w_${t}`, dist.Categorical(w === undefined ? tf.tensor1d(init) : vindex(tA, "...", w, ":")), en);
        x = yield* sample(`x_${t}`, dist.Categorical(x === undefined ? tf.tensor1d(init) : vindex(tB, "...", x, ":")), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(tLocs, "...", w, x), 0.7), { obs: tf.scalar(ys[t]!) });
      });
    };
    const joint = (a: readonly number[]) => {
      let lp = 0;
      for (let t = 0; t < T; t++) {
        const [w, x] = [a[2 * t]!, a[2 * t + 1]!];
        lp += Math.log(t === 0 ? init[w]! : A3[a[2 * t - 2]!]![w]!) + Math.log(t === 0 ? init[x]! : B3[a[2 * t - 1]!]![x]!);
        lp += normalLogPdf(ys[t]!, locs3[w]![x]!, 0.7);
      }
      return lp;
    };
    let best = -Infinity;
    let arg: number[] = [];
    for (const a of assignments(new Array<number>(2 * T).fill(3))) {
      const lp = joint(a);
      if (lp > best) [best, arg] = [lp, [...a]];
    }
    const used: string[] = [];
    const spies = [vi.spyOn(MapRing.prototype, "factorial"), vi.spyOn(MapRing.prototype, "chain")];
    try {
      const tr = trace(inferDiscrete(model, { temperature: 0, firstAvailableDim: -1 })).getTrace();
      const got = Array.from({ length: T }, (_, t) => [tr.sampleSite(`w_${t}`).value.dataSync()[0]!, tr.sampleSite(`x_${t}`).value.dataSync()[0]!]).flat();
      expect(got).toEqual(arg);
      if (spies[0]!.mock.calls.length > 0) used.push("factorial");
      if (spies[1]!.mock.calls.length > 0) used.push("chain");
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(used).toEqual(["factorial"]);
    // the loss's ring pairs the 9 states whole (≤ MAX_PAIRED_STATES): the same log-normaliser
    expect(relErr(-lossOf(model, 0), bruteForce(new Array<number>(2 * T).fill(3), joint))).toBeLessThan(1e-5);
  });

  it("three chains of 5 × 5 × 3 states (75 > MAX_PAIRED_STATES, transitions of their own): loss, gradient, MAP path and marginals", () => {
    const Ts = 3;
    const sizes = [5, 5, 3];
    const ys3 = [1.2, -0.7, 2.9];
    // transition rows that favour staying, an initial distribution, and per-chain offsets of the emission's mean
    const trans = sizes.map((K, m) => Array.from({ length: K }, (_, i) => {
      const row = Array.from({ length: K }, (_, j) => (i === j ? 3 + m : 1 + ((i + 2 * j + m) % 3) * 0.5));
      const z = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / z);
    }));
    const init = sizes.map((K) => Array.from({ length: K }, (_, i) => 1 / K + (i === 0 ? 0.1 : -0.1 / (K - 1))));
    const offsets = [[-1, -0.5, 0, 0.5, 1], [0, 0.3, 0.6, 0.9, 1.2], [-0.4, 0, 0.4]];
    const logJoint = (a: number[], off: number[][]) => {
      let lp = 0;
      for (let t = 0; t < Ts; t++) {
        let mean = 0;
        for (let m = 0; m < 3; m++) {
          const v = a[3 * t + m]!;
          lp += Math.log(t === 0 ? init[m]![v]! : trans[m]![a[3 * t - 3 + m]!]![v]!);
          mean += off[m]![v]!;
        }
        lp += normalLogPdf(ys3[t]!, mean, 0.8);
      }
      return lp;
    };
    const stateSizes = Array.from({ length: 3 * Ts }, (_, i) => sizes[i % 3]!);
    const locs0 = tf.variable(tf.tensor1d(offsets[0]!));
    const model: Model<[]> = function* () {
      const z: (tf.Tensor | undefined)[] = [undefined, undefined, undefined];
      const offs = [locs0, tf.tensor1d(offsets[1]!), tf.tensor1d(offsets[2]!)];
      yield* markov(range(Ts), function* (t) {
        let mean: tf.Tensor = tf.scalar(0);
        for (let m = 0; m < 3; m++) {
          const prev = z[m];
          const probs = prev === undefined ? tf.tensor1d(init[m]!) : vindex(tf.tensor2d(trans[m]!), "...", prev, ":");
          z[m] = yield* sample(`z${m}_${t}`, dist.Categorical(probs), en);
          mean = mean.add(vindex(offs[m]!, "...", z[m]!));
        }
        yield* sample(`y_${t}`, dist.Normal(mean, 0.8), { obs: tf.scalar(ys3[t]!) });
      });
    };
    expect(fusedLoops(model, -1)).toBe(1);
    const logZ = bruteForce(stateSizes, (a) => logJoint(a, offsets));
    const elbo = new TraceEnumELBO({ maxPlateNesting: 0 });
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, emptyGuide), [locs0]);
    expect(relErr(-value.dataSync()[0]!, logZ)).toBeLessThan(1e-5);
    // d evidence / d offsets[0]: central differences of the float64 sum
    const h = 1e-4;
    const got = Array.from(grads[locs0.name]!.dataSync(), (g) => -g);
    for (const i of [0, 3]) {
      const at = (d: number) => bruteForce(stateSizes, (a) => logJoint(a, offsets.map((o, m) => (m === 0 ? o.map((v, j) => (j === i ? v + d : v)) : o))));
      expect(Math.abs(got[i]! - (at(h) - at(-h)) / (2 * h))).toBeLessThan(2e-3);
    }
    // one pass for the arg max and the middle step's posterior marginals
    let best = -Infinity;
    let arg: number[] = [];
    const middle = sizes.map((K) => new Array<number>(K).fill(0));
    for (const a of assignments(stateSizes)) {
      const lp = logJoint(a, offsets);
      if (lp > best) [best, arg] = [lp, [...a]];
      const p = Math.exp(lp - logZ);
      for (let m = 0; m < 3; m++) middle[m]![a[3 + m]!]! += p;
    }
    const tr = trace(inferDiscrete(model, { temperature: 0, firstAvailableDim: -1 })).getTrace();
    const path = Array.from({ length: Ts }, (_, t) => [0, 1, 2].map((m) => tr.sampleSite(`z${m}_${t}`).value.dataSync()[0]!)).flat();
    expect(path).toEqual(arg);
    // computeMarginals (the kernel's posterior pass) against the float64 posterior
    const marginals = elbo.computeMarginals(model, emptyGuide);
    for (let m = 0; m < 3; m++) {
      const probs = Array.from((marginals.get(`z${m}_1`) as { probs: tf.Tensor }).probs.dataSync());
      probs.forEach((p, k) => expect(Math.abs(p - middle[m]![k]!)).toBeLessThan(1e-4));
    }
    locs0.dispose();
  });

  for (const perStep of [false, true]) {
    it(`a global enumerated outside the loop, and emissions in a nested plate${perStep ? " of its own at each step (tones_t, Pyro's hmm.py model_5)" : ""}`, () => {
      const [tA, tLocs] = [tf.tensor2d(A), tf.tensor2d(locs)];
      const obs = tf.tensor2d([[0.1, 2.2, -0.3, 1.1], [0.4, 1.8, 0.2, 2.6], [-0.5, 2.4, 0.9, 1.5]]); // [tones = 3, T]
      const model: Model<[]> = function* () {
        const g = yield* sample("g", dist.Categorical(tf.tensor1d([0.35, 0.65])), en);
        let z: tf.Tensor | undefined;
        yield* markov(range(T), function* (t) {
          z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(tA, "...", z, ":")), en);
          const zt = z;
          yield* plate(perStep ? `tones_${t}` : "tones", 3, { dim: -1 }, function* () {
            yield* sample(`y_${t}`, dist.Normal(vindex(tLocs, "...", g, zt), 1), { obs: obs.slice([0, t], [3, 1]).reshape([3]) });
          });
        });
      };
      expect(fusedLoops(model, -2)).toBe(1);
      const o = obs.arraySync() as number[][];
      const truth = logSumExp([0, 1].map((g) => Math.log([0.35, 0.65][g]!) + bruteForce(new Array<number>(T).fill(2), (z) => {
        let lp = 0;
        for (let t = 0; t < T; t++) {
          lp += Math.log(t === 0 ? 0.5 : A[z[t - 1]!]![z[t]!]!);
          for (let k = 0; k < 3; k++) lp += normalLogPdf(o[k]![t]!, locs[g]![z[t]!]!, 1);
        }
        return lp;
      })));
      expect(relErr(-lossOf(model, 1), truth)).toBeLessThan(1e-5);
    });
  }

  it("computeMarginals on a stacked loop: each step's offset joins the stack; the marginals are the float64 posterior", () => {
    const tA = tf.tensor2d(A);
    const model: Model<[]> = function* () {
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? tf.tensor1d([0.4, 0.6]) : vindex(tA, "...", z, ":")), en);
        yield* sample(`y_${t}`, dist.Normal(z.toFloat().mul(2), 1), { obs: tf.scalar(ys[t]!) });
      });
    };
    // the loop still stacks with one offset per step added, as computeMarginals adds them
    const stacked = withStepCache(() => tf.tidy(() => {
      const messenger = new EnumMessenger(-1);
      const tr = trace(withHandler(model, () => messenger)).getTrace();
      const extra = [...tr.sampleSites()].filter((site) => site.enumInfo?.kind === "parallel")
        .map((site) => ({ site, dims: [varDim((site.enumInfo as { variable: { id: number } }).variable.id)], data: tf.zeros([2]) }));
      return collectTerms(tr, "elbo", true, extra).loops.length;
    }));
    expect(stacked).toBe(1);
    const joint = (z: number[]) => {
      let lp = 0;
      for (let t = 0; t < T; t++) lp += Math.log(t === 0 ? [0.4, 0.6][z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(ys[t]!, 2 * z[t]!, 1);
      return lp;
    };
    const logZ = bruteForce(new Array<number>(T).fill(2), joint);
    const marginals = new TraceEnumELBO({ maxPlateNesting: 0 }).computeMarginals(model, emptyGuide);
    for (let t = 0; t < T; t++) {
      const truth = [0, 1].map((k) => {
        let total = 0;
        for (const z of assignments(new Array<number>(T).fill(2))) if (z[t] === k) total += Math.exp(joint(z) - logZ);
        return total;
      });
      const got = Array.from((marginals.get(`z_${t}`) as { probs: tf.Tensor }).probs.dataSync());
      got.forEach((p, k) => expect(Math.abs(p - truth[k]!)).toBeLessThan(1e-5));
    }
  });

  it("not fused, still right: history 2 (each step reaches back two steps)", () => {
    const P2 = [[[0.9, 0.1], [0.4, 0.6]], [[0.3, 0.7], [0.2, 0.8]]];
    const tP2 = tf.tensor3d(P2);
    const second: Model<[]> = function* () {
      const zs: tf.Tensor[] = [];
      yield* markov(range(T), function* (t) {
        const probs = t < 2 ? tf.tensor1d([0.5, 0.5]) : vindex(tP2, "...", zs[t - 2]!, zs[t - 1]!, ":");
        zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), en));
        yield* sample(`y_${t}`, dist.Normal(zs[t]!.toFloat(), 1), { obs: tf.scalar(ys[t]!) });
      }, { history: 2 });
    };
    expect(fusedLoops(second, -1)).toBe(0);
    const truth2 = bruteForce(new Array<number>(T).fill(2), (z) => {
      let lp = 0;
      for (let t = 0; t < T; t++) lp += Math.log(t < 2 ? 0.5 : P2[z[t - 2]!]![z[t - 1]!]![z[t]!]!) + normalLogPdf(ys[t]!, z[t]!, 1);
      return lp;
    });
    expect(relErr(-lossOf(second, 0), truth2)).toBeLessThan(1e-5);
  });
});
