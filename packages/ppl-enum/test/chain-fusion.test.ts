// The fused chain contraction (one forward–backward op per markov chain)
// against the step-by-step generic elimination (fuseChains: false) and a
// float64 brute force: values to 1e-5 relative, gradients to 1e-4 of the
// largest gradient entry, and the plan really contains a chain step.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, plate, range, sample, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { detectChain } from "../src/contract/chain-plan.js";
import { buildPlan } from "../src/contract/plan.js";
import { bruteForce, deltaGuide, loadJSON, logSumExp, relErr, seedModel } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

/** loss and gradients w.r.t. `vars` for both contraction paths. */
function both(model: Model<[]>, vars: tf.Variable[], guide: Model<[]> = emptyGuide) {
  return [true, false].map((fuseChains) => {
    const elbo = new TraceEnumELBO({ maxPlateNesting: 2, fuseChains });
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), vars);
    const out = { loss: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }) as [{ loss: number; grads: number[][] }, { loss: number; grads: number[][] }];
}

function expectSame(model: Model<[]>, vars: tf.Variable[]) {
  const [fused, generic] = both(model, vars);
  expect(Number.isFinite(fused.loss)).toBe(true);
  expect(relErr(fused.loss, generic.loss)).toBeLessThan(1e-5);
  const scale = Math.max(1e-6, ...generic.grads.flat().map(Math.abs));
  fused.grads.forEach((g, i) => g.forEach((x, j) => expect(Math.abs(x - generic.grads[i]![j]!) / scale).toBeLessThan(1e-4)));
  return fused.loss;
}

const ys = [[0.1, 1.4, 2.9, 0.2, 1.0, 2.2], [3.1, 2.2, 1.0, 1.7, 0.3, 0.0], [0.0, 0.5, 0.4, 2.8, 2.6, 1.1]];

describe("fused chain contraction equals the generic path", () => {
  it("HMM in a plate: loss and gradients, and against brute force", () => {
    const logitsInit = tf.variable(tf.tensor1d([0.2, -0.3, 0.5]));
    const trans = tf.variable(tf.tensor2d([[1.0, -0.5, 0.1], [0.2, 0.8, -1.0], [-0.3, 0.0, 1.2]]));
    const locs = tf.variable(tf.tensor1d([0, 1.5, 3]));
    function* model() {
      yield* plate("seqs", 3, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(6), function* (t) {
          const d = t === 0 ? dist.Categorical({ logits: logitsInit }) : dist.Categorical({ logits: vindex(trans, "...", z!, ":") });
          z = yield* sample(`z_${t}`, d, en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 0.8), { obs: ys.map((y) => y[t]!) });
        });
      });
    }
    const loss = expectSame(model, [logitsInit, trans, locs]);
    const lsm = (xs: number[]) => xs.map((x) => x - logSumExp(xs));
    const pi = lsm(Array.from(logitsInit.dataSync()));
    const A = tf.unstack(trans).map((r) => lsm(Array.from(r.dataSync())));
    const mu = Array.from(locs.dataSync());
    const lpN = (y: number, m: number) => -0.5 * ((y - m) / 0.8) ** 2 - Math.log(0.8) - 0.5 * Math.log(2 * Math.PI);
    const truth = ys.reduce((s, y) => s + bruteForce(new Array<number>(6).fill(3), (z) =>
      y.reduce((acc, yt, t) => acc + (t === 0 ? pi[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + lpN(yt, mu[z[t]!]!), 0)), 0);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("per-sequence transitions, observations at some steps only, two emissions per step", () => {
    const trans = tf.variable(tf.randomNormal([3, 2, 2], 0, 1, "float32", 3));
    const locs = tf.variable(tf.tensor1d([-0.5, 1.2]));
    function* model() {
      yield* plate("seqs", 3, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(6), function* (t) {
          const d = t === 0 ? dist.Categorical([0.4, 0.6]) : dist.Categorical({ logits: vindex(trans, "...", z!, ":") });
          z = yield* sample(`z_${t}`, d, en);
          if (t % 2 === 0) yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: ys.map((y) => y[t]!) });
          if (t === 3) yield* sample(`w_${t}`, dist.Normal(vindex(locs, "...", z).mul(2), 0.5), { obs: ys.map((y) => y[t]!) });
        });
      });
    }
    expectSame(model, [trans, locs]);
  });

  it("large log-factors (shifted before exp) and a chain without a plate", () => {
    const locs = tf.variable(tf.tensor1d([-300, 0, 250]));
    const y = [10, -40, 200, 30, -100];
    function* model() {
      let z: tf.Tensor | undefined;
      yield* markov(range(5), function* (t) {
        const probs = t === 0 ? tf.tensor1d([0.2, 0.3, 0.5]) : vindex(tf.tensor2d([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]), "...", z!, ":");
        z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 2), { obs: y[t]! });
      });
    }
    expectSame(model, [locs]);
  });

  it("a transition shared by every step (one tensor, spread over the steps) with impossible moves", () => {
    // the same probs tensor at every step: the memoised vindex hands one factor tensor to all steps of a parity
    const A = tf.tensor2d([[0.9, 0.1, 0], [0, 0.7, 0.3], [0.2, 0, 0.8]]);
    const locs = tf.variable(tf.tensor1d([0, 1.5, 3]));
    function* model() {
      yield* plate("seqs", 3, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(6), function* (t) {
          z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? tf.tensor1d([0.5, 0.5, 0]) : vindex(A, "...", z!, ":")), en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 0.8), { obs: ys.map((y) => y[t]!) });
        });
      });
    }
    const loss = expectSame(model, [locs]);
    const lA = (A.arraySync() as number[][]).map((r) => r.map(Math.log));
    const mu = Array.from(locs.dataSync());
    const lpN = (y: number, m: number) => -0.5 * ((y - m) / 0.8) ** 2 - Math.log(0.8) - 0.5 * Math.log(2 * Math.PI);
    const truth = ys.reduce((s, y) => s + bruteForce(new Array<number>(6).fill(3), (z) =>
      y.reduce((acc, yt, t) => acc + (t === 0 ? Math.log([0.5, 0.5, 0][z[0]!]!) : lA[z[t - 1]!]![z[t]!]!) + lpN(yt, mu[z[t]!]!), 0)), 0);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("a chain coupled to a global variable falls back to the generic path (same value)", () => {
    const locs = tf.variable(tf.tensor1d([0, 2]));
    function* model() {
      const g = yield* sample("g", dist.Categorical([0.5, 0.5]), en);
      yield* plate("seqs", 3, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(4), function* (t) {
          z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? tf.tensor1d([0.5, 0.5]) : vindex(tf.tensor2d([[0.7, 0.3], [0.2, 0.8]]), "...", z!, ":")), en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z).add(g.toFloat()), 1), { obs: ys.map((yy) => yy[t]!) });
        });
      });
    }
    expectSame(model, [locs]);
  });

  it("the seed workload (S=30, T=120): same loss and gradients", () => {
    const train = loadJSON<{ obs: number[][] }>("seed_train_S30_T120_seed1.json");
    const obs = tf.tensor2d(train.obs);
    const vars = {
      probs_init: tf.variable(tf.tensor1d([0.5, 0.3, 0.2])),
      probs_trans: tf.variable(tf.tensor2d([[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]])),
      locs: tf.variable(tf.tensor1d([0, 5, 10])),
      scales: tf.variable(tf.tensor1d([0.7, 0.7, 0.7])),
    };
    const [fused, generic] = [true, false].map((fuseChains) => {
      const elbo = new TraceEnumELBO({ maxPlateNesting: 1, fuseChains });
      const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(seedModel, deltaGuide(vars), obs, 3));
      const out = { loss: value.dataSync()[0]!, grads: Object.values(vars).map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    }) as [{ loss: number; grads: number[][] }, { loss: number; grads: number[][] }];
    expect(relErr(fused.loss, generic.loss)).toBeLessThan(1e-5);
    fused.grads.forEach((g, i) => {
      const scale = Math.max(...generic.grads[i]!.map(Math.abs));
      g.forEach((x, j) => expect(Math.abs(x - generic.grads[i]![j]!) / scale).toBeLessThan(1e-4));
    });
    obs.dispose();
  });
});

describe("chain detection and the fused op", () => {
  const sizes = new Map([["v0", 2], ["v1", 2], ["v2", 2], ["v3", 2], ["p", 4]]);
  const ctx = (slotDims: string[][]) => ({
    slotDims, sizes, isVar: (d: string) => d.startsWith("v"), sorted: (ds: Iterable<string>) => [...ds].sort(),
  });

  it("finds a path, in either orientation, and rejects a cycle or a short chain", () => {
    const path = [["v0"], ["v1", "v0", "p"], ["v1", "v2"], ["v3", "v2"], ["v3", "p"]];
    const step = detectChain(ctx(path), [0, 1, 2, 3, 4], new Set(["v0", "v1", "v2", "v3"]));
    expect(step?.length).toBe(4);
    expect(step?.plates).toEqual(["p"]);
    const cycle = [["v0", "v1"], ["v1", "v2"], ["v2", "v0"]];
    expect(detectChain(ctx(cycle), [0, 1, 2], new Set(["v0", "v1", "v2"]))).toBeUndefined();
    expect(detectChain(ctx([["v0", "v1"]]), [0], new Set(["v0", "v1"]))).toBeUndefined();
    const star = [["v0", "v1"], ["v0", "v2"], ["v0", "v3"]];
    expect(detectChain(ctx(star), [0, 1, 2], new Set(["v0", "v1", "v2", "v3"]))).toBeUndefined();
  });

  it("the plan of an HMM in a plate has one time chain step (after stacking its factors) when fused, none otherwise", () => {
    const T = 5;
    const sigs = [{ dims: ["v0"], sizes: [2], ordinal: ["p"] }];
    for (let t = 0; t < T; t++) {
      if (t > 0) sigs.push(t % 2 ? { dims: [`v${t - 1}`, `v${t}`], sizes: [2, 2], ordinal: ["p"] } : { dims: [`v${t}`, `v${t - 1}`], sizes: [2, 2], ordinal: ["p"] });
      sigs.push({ dims: [`v${t}`, "p"], sizes: [2, 4], ordinal: ["p"] });
    }
    const vars = new Set(Array.from({ length: T }, (_, t) => `v${t}`));
    const plates = new Map([["p", 4]]);
    const kinds = (fuseChains: boolean) => buildPlan(sigs, vars, plates, String, { fuseChains }).steps.map((s) => s.kind);
    expect(kinds(true).filter((k) => k !== "stack")).toEqual(["timeChain"]);
    expect(kinds(false).filter((k) => k === "combine")).toHaveLength(T);
  });
});
