// The fused factorial contraction (M chains that meet only in per-step
// factors, a factorial HMM written as a markov loop: one time chain over their
// product state; past 64 joint values the factorial kernel, markov-loops.test.ts)
// against a float64 brute force over every joint path:
// TraceEnumELBO's loss and gradients (the gradients also against the
// step-by-step generic elimination), inferDiscrete's MAP against the
// brute-force arg max, posterior draws and computeMarginals against the exact
// path posterior; and
// the planner builds one time chain for the markov loop's factor layout.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, plate, range, sample, trace, vindex } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { buildPlan } from "../src/contract/plan.js";
import { assignments, logSumExp, normalLogPdf, relErr } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

const T = 5;
const SIZES = [2, 3];
const ys = [[0.1, 2.4, 2.9, 0.2, 1.3], [3.1, 1.2, 1.0, 2.7, 0.3]];

function params() {
  return {
    trans0: tf.variable(tf.tensor2d([[1.0, -0.5], [0.2, 0.8]])),
    trans1: tf.variable(tf.tensor2d([[1.0, -0.5, 0.1], [0.2, 0.8, -1.0], [-0.3, 0.0, 1.2]])),
    locs0: tf.variable(tf.tensor1d([0, 1.5])),
    locs1: tf.variable(tf.tensor1d([0, 1, 2.2])),
  };
}
type Params = ReturnType<typeof params>;

/** Two chains in one markov loop (in a plate of two sequences), meeting in the meter's emission; chain 1 has a second reading at even steps. */
function factorialModel(p: Params) {
  return function* model() {
    yield* plate("seqs", 2, function* () {
      let z0: tf.Tensor | undefined;
      let z1: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z0 = yield* sample(`a_${t}`, t === 0 ? dist.Categorical([0.5, 0.5]) : dist.Categorical({ logits: vindex(p.trans0, "...", z0!, ":") }), en);
        z1 = yield* sample(`b_${t}`, t === 0 ? dist.Categorical([0.2, 0.3, 0.5]) : dist.Categorical({ logits: vindex(p.trans1, "...", z1!, ":") }), en);
        const mean = vindex(p.locs0, "...", z0).add(vindex(p.locs1, "...", z1));
        yield* sample(`y_${t}`, dist.Normal(mean, 0.7), { obs: ys.map((y) => y[t]!) });
        if (t % 2 === 0) yield* sample(`w_${t}`, dist.Normal(vindex(p.locs1, "...", z1), 1), { obs: ys.map((y) => y[t]! / 2) });
      });
    });
  };
}

/** log p(path, y) of sequence s, written from the model's definition in float64; path = [a_0..a_{T-1}, b_0..b_{T-1}]. */
function logJoint(p: Params, s: number, path: readonly number[]): number {
  const lsm = (xs: number[]) => xs.map((x) => x - logSumExp(xs));
  const A0 = (tf.unstack(p.trans0) as tf.Tensor[]).map((r) => lsm(Array.from(r.dataSync())));
  const A1 = (tf.unstack(p.trans1) as tf.Tensor[]).map((r) => lsm(Array.from(r.dataSync())));
  const l0 = Array.from(p.locs0.dataSync());
  const l1 = Array.from(p.locs1.dataSync());
  const a = path.slice(0, T);
  const b = path.slice(T);
  let lp = 0;
  for (let t = 0; t < T; t++) {
    lp += t === 0 ? Math.log([0.5, 0.5][a[0]!]!) + Math.log([0.2, 0.3, 0.5][b[0]!]!) : A0[a[t - 1]!]![a[t]!]! + A1[b[t - 1]!]![b[t]!]!;
    lp += normalLogPdf(ys[s]![t]!, l0[a[t]!]! + l1[b[t]!]!, 0.7);
    if (t % 2 === 0) lp += normalLogPdf(ys[s]![t]! / 2, l1[b[t]!]!, 1);
  }
  return lp;
}

const pathSizes = [...new Array<number>(T).fill(SIZES[0]!), ...new Array<number>(T).fill(SIZES[1]!)];

describe("fused factorial contraction", () => {
  it("TraceEnumELBO: loss against brute force, gradients against brute-force finite differences and the generic path", () => {
    const p = params();
    const vars = [p.trans0, p.trans1, p.locs0, p.locs1];
    const run = (fuseChains: boolean) => {
      const elbo = new TraceEnumELBO({ maxPlateNesting: 1, fuseChains });
      const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(factorialModel(p), emptyGuide), vars);
      const out = { loss: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const fused = run(true);
    const generic = run(false);
    const truth = () => [0, 1].reduce((acc, s) => acc + logSumExp([...assignments(pathSizes)].map((path) => logJoint(p, s, path))), 0);
    expect(relErr(-fused.loss, truth())).toBeLessThan(1e-5);
    const scale = Math.max(...generic.grads.flat().map(Math.abs));
    fused.grads.forEach((g, i) => g.forEach((x, j) => expect(Math.abs(x - generic.grads[i]![j]!) / scale).toBeLessThan(1e-4)));
    // d(-loss)/d locs1[2] by central differences of the brute force
    const h = 1e-4;
    const at = (d: number) => {
      p.locs1.assign(tf.tensor1d([0, 1, 2.2 + d]));
      return truth();
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    at(0);
    expect(Math.abs(-fused.grads[3]![2]! - fd) / Math.max(1, Math.abs(fd))).toBeLessThan(2e-3);
    tf.dispose(vars);
  });

  it("inferDiscrete at temperature 0 returns the brute-force arg max of each sequence", () => {
    const p = params();
    const tr = trace(inferDiscrete(factorialModel(p), { firstAvailableDim: -2, temperature: 0 })).getTrace();
    const decoded = [0, 1].map((s) => [
      ...Array.from({ length: T }, (_, t) => tr.sampleSite(`a_${t}`).value.dataSync()[s]!),
      ...Array.from({ length: T }, (_, t) => tr.sampleSite(`b_${t}`).value.dataSync()[s]!),
    ]);
    for (const s of [0, 1]) {
      let best = -Infinity;
      let arg: number[] = [];
      for (const path of assignments(pathSizes)) {
        const lp = logJoint(p, s, path);
        if (lp > best) [best, arg] = [lp, path];
      }
      expect(decoded[s]).toEqual(arg);
    }
    tf.dispose(Object.values(p));
  });

  it("inferDiscrete at temperature 1 draws b_4 with its posterior marginal", () => {
    const p = params();
    const decoder = inferDiscrete(factorialModel(p), { firstAvailableDim: -2, temperature: 1, seed: 3 });
    const draws = 300;
    const counts = [0, 0, 0];
    for (let d = 0; d < draws; d++) {
      const v = tf.tidy(() => trace(decoder).getTrace().sampleSite("b_4").value.dataSync()[0]!);
      counts[v]!++;
    }
    const lps = [...assignments(pathSizes)].map((path) => ({ path, lp: logJoint(p, 0, path) }));
    const z = logSumExp(lps.map((x) => x.lp));
    const marginal = [0, 1, 2].map((k) => lps.filter((x) => x.path[2 * T - 1] === k).reduce((acc, x) => acc + Math.exp(x.lp - z), 0));
    // each frequency within 4 binomial standard errors
    marginal.forEach((q, k) => expect(Math.abs(counts[k]! / draws - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / draws) + 1e-9));
    tf.dispose(Object.values(p));
  });

  it("TraceEnumELBO.computeMarginals: a_2 and b_4 of each sequence equal their brute-force posterior marginals", () => {
    const p = params();
    const marginals = new TraceEnumELBO({ maxPlateNesting: 1 }).computeMarginals(factorialModel(p), emptyGuide);
    const bySeq = [0, 1].map((s) => {
      const lps = [...assignments(pathSizes)].map((path) => ({ path, lp: logJoint(p, s, path) }));
      return { lps, z: logSumExp(lps.map((x) => x.lp)) };
    });
    for (const [site, at, K] of [["a_2", 2, 2], ["b_4", 2 * T - 1, 3]] as const) {
      const got = marginals.get(site)!.probs.arraySync() as number[][];
      for (const s of [0, 1]) {
        const { lps, z } = bySeq[s]!;
        for (let k = 0; k < K; k++) {
          const want = lps.filter((x) => x.path[at] === k).reduce((acc, x) => acc + Math.exp(x.lp - z), 0);
          expect(got[s]![k]!).toBeCloseTo(want, 4);
        }
      }
    }
    tf.dispose(Object.values(p));
  });

  it("the planner builds one time chain over the product state from a markov loop's factor layout, none without fusion", () => {
    // step t: a_t | a_{t-1}, b_t | b_{t-1}, the emission on (a_t, b_t) in a plate
    const sigs: { dims: string[]; sizes: number[]; ordinal: string[] }[] = [];
    for (let t = 0; t < T; t++) {
      sigs.push(t === 0 ? { dims: [`a${t}`], sizes: [2], ordinal: [] } : { dims: [`a${t}`, `a${t - 1}`], sizes: [2, 2], ordinal: [] });
      sigs.push(t === 0 ? { dims: [`b${t}`], sizes: [3], ordinal: [] } : { dims: [`b${t - 1}`, `b${t}`], sizes: [3, 3], ordinal: [] });
      sigs.push({ dims: ["p", `b${t}`, `a${t}`], sizes: [4, 3, 2], ordinal: ["p"] });
    }
    const vars = new Set(sigs.flatMap((s) => s.dims.filter((d) => d !== "p")));
    const plan = (fuseChains: boolean) => buildPlan(sigs, vars, new Map([["p", 4]]), String, { fuseChains });
    const steps = plan(true).steps;
    expect(steps.filter((s) => s.kind === "timeChain")).toHaveLength(1);
    const f = steps.find((s) => s.kind === "timeChain");
    expect(f?.kind === "timeChain" && f.chain.stateSizes).toEqual([2, 3]);
    expect(plan(false).steps.some((s) => s.kind === "timeChain")).toBe(false);
    // a transition that skips a step is no factorial chain: the generic elimination runs
    const skipping = [...sigs, { dims: ["a0", "a2"], sizes: [2, 2], ordinal: [] }];
    expect(buildPlan(skipping, vars, new Map([["p", 4]]), String).steps.some((s) => s.kind === "timeChain")).toBe(false);
  });
});
