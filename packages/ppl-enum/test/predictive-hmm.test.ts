// Predictive on hidden Markov models. The seed HMM's posterior predictive from a
// MAP (AutoDelta) guide against the chain's closed-form marginals at the MAP point
// (π Aᵗ propagated in float64); and Pyro's pattern for enumerated sites,
// inferDiscrete at temperature 1 through Predictive's wrapModel, against the
// exact posterior of a short chain by brute force over all 2^T paths.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, Predictive, SVI, block, clearParamStore, dist, markov, range, sample, setRngSeed, vindex } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { assignments, loadJSON, normalLogPdf, seedModel } from "./helpers.js";

const train = loadJSON<{ obs: number[][] }>("seed_train_S30_T120_seed1.json");
const truth = loadJSON<{ A_true: number[][] }>("true_params.json");

describe("Predictive on the seed HMM", () => {
  it("the predictive of y_t from the MAP guide matches simulation from the MAP parameters (closed-form marginals)", () => {
    const obs = tf.tensor2d(train.obs.slice(0, 10).map((r) => r.slice(0, 12)));
    const [S, T] = obs.shape;
    clearParamStore();
    setRngSeed(8);
    const globals = ["probs_init", "probs_trans", "locs", "scales"];
    const guide = new AutoDelta(block(seedModel, { expose: globals }), {
      initLocFn: initToValue({ values: { probs_init: [0.5, 0.3, 0.2], probs_trans: truth.A_true, locs: [0, 5, 10], scales: [0.7, 0.7, 0.7] } }),
    });
    // MAP by SVI (a short run from near the truth); the truth below is computed from whatever point it reached
    const svi = new SVI(seedModel, guide, new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
    for (let i = 0; i < 40; i++) svi.step(obs, 3);
    const map = guide.median(obs, 3);
    const pi = Array.from(map.probs_init!.dataSync());
    const A = map.probs_trans!.arraySync() as number[][];
    const locs = Array.from(map.locs!.dataSync());
    const scales = Array.from(map.scales!.dataSync());
    tf.dispose(Object.values(map));
    const N = 300;
    const out = new Predictive(seedModel, { guide, numSamples: N, parallel: true }).forward(obs, 3);
    // the globals are the guide's point, the states and observations are drawn afresh
    expect(out.locs!.shape).toEqual([N, 3]);
    expect(Array.from(out.locs!.slice([N - 1, 0], [1, 3]).dataSync())).toEqual(locs.map((l) => expect.closeTo(l, 5)));
    // P(z_t = k) = (π Aᵗ)_k; y_t | z_t ~ N(locs_k, scales_k)
    let marginal = [...pi];
    for (let t = 0; t < T; t++) {
      const z = Array.from(out[`z_${t}`]!.dataSync());
      const y = Array.from(out[`y_${t}`]!.dataSync());
      expect(out[`y_${t}`]!.shape).toEqual([N, S]);
      const n = z.length;
      for (let k = 0; k < 3; k++) {
        const freq = z.filter((v) => v === k).length / n;
        expect(Math.abs(freq - marginal[k]!)).toBeLessThan(4 * Math.sqrt(marginal[k]! * (1 - marginal[k]!) / n) + 1e-9);
      }
      const mean = marginal.reduce((s, m, k) => s + m * locs[k]!, 0);
      const second = marginal.reduce((s, m, k) => s + m * (scales[k]! ** 2 + locs[k]! ** 2), 0);
      const sd = Math.sqrt(second - mean * mean);
      const yMean = y.reduce((s, v) => s + v, 0) / n;
      const ySd = Math.sqrt(y.reduce((s, v) => s + (v - yMean) ** 2, 0) / (n - 1));
      expect(Math.abs(yMean - mean)).toBeLessThan(4 * sd / Math.sqrt(n));
      expect(Math.abs(ySd - sd)).toBeLessThan(0.1 * sd);
      // each y is drawn around its own state's mean
      const resid = y.map((v, i) => (v - locs[z[i]!]!) / scales[z[i]!]!);
      expect(Math.abs(resid.reduce((s, v) => s + v * v, 0) / n - 1)).toBeLessThan(0.15);
      marginal = [0, 1, 2].map((j) => marginal.reduce((s, m, i) => s + m * A[i]![j]!, 0));
    }
    tf.dispose(Object.values(out));
  });
});

describe("Predictive with inferDiscrete (temperature 1) through wrapModel", () => {
  // locs ~ N(0, 5)², z_0 ~ Cat(pi), z_t ~ Cat(A[z_{t-1}]), y_t ~ N(locs[z_t], 1), t < T, with z enumerated
  const pi = [0.6, 0.4];
  const A = [[0.8, 0.2], [0.3, 0.7]];
  const ys = [-0.8, 0.3, 2.4, 1.1];
  const T = ys.length;
  const locs = [-1, 2];
  function* chain(data: tf.Tensor1D) {
    const l = yield* sample("locs", dist.Normal(0, 5).expand([2]).toEvent(1));
    let z: tf.Tensor | undefined;
    yield* markov(range(T), function* (t) {
      const probs = t === 0 ? tf.tensor1d(pi) : vindex(tf.tensor2d(A), "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(l, "...", z), 1), { obs: data.slice([t], [1]).reshape([]) });
    });
  }

  /** P(z_t = 1 | y, locs) for every t, by brute force over all 2^T paths in float64. */
  function exactMarginals(): number[] {
    const w: { path: number[]; p: number }[] = [];
    for (const path of assignments(new Array<number>(T).fill(2))) {
      let lp = Math.log(pi[path[0]!]!);
      for (let t = 1; t < T; t++) lp += Math.log(A[path[t - 1]!]![path[t]!]!);
      for (let t = 0; t < T; t++) lp += normalLogPdf(ys[t]!, locs[path[t]!]!, 1);
      w.push({ path, p: Math.exp(lp) });
    }
    const total = w.reduce((s, x) => s + x.p, 0);
    return Array.from({ length: T }, (_, t) => w.reduce((s, x) => s + (x.path[t] === 1 ? x.p : 0), 0) / total);
  }

  for (const parallel of [true, false]) {
    it(`parallel: ${parallel}: the decoded states follow the exact posterior given the data, the new y follow the states`, () => {
      clearParamStore();
      setRngSeed(12);
      const guide = new AutoDelta(block(chain, { expose: ["locs"] }), { initLocFn: initToValue({ values: { locs } }) });
      const N = parallel ? 2000 : 150;
      const predictive = new Predictive(chain, {
        guide,
        numSamples: N,
        parallel,
        // the outer plate of `parallel` takes dim -1 here (the model has no plates), so enumeration starts at -2
        wrapModel: (m) => inferDiscrete(m, { temperature: 1, firstAvailableDim: parallel ? -2 : -1 }),
      });
      const out = predictive.forward(tf.tensor1d(ys));
      const exact = exactMarginals();
      for (let t = 0; t < T; t++) {
        const z = Array.from(out[`z_${t}`]!.dataSync());
        expect(z.length).toBe(N);
        const freq = z.filter((v) => v === 1).length / N;
        expect(Math.abs(freq - exact[t]!)).toBeLessThan(4 * Math.sqrt(exact[t]! * (1 - exact[t]!) / N));
        const y = Array.from(out[`y_${t}`]!.dataSync());
        const resid = y.map((v, i) => v - locs[z[i]!]!);
        expect(Math.abs(resid.reduce((s, v) => s + v, 0) / N)).toBeLessThan(4 / Math.sqrt(N));
      }
      // the observed values are not returned as they were: y is re-drawn
      expect(Array.from(out.y_0!.dataSync()).some((v) => v !== ys[0])).toBe(true);
      tf.dispose(Object.values(out));
    });
  }
});
