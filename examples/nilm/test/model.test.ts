// The factorial model's loss and gradients under TraceEnumELBO (the states of
// every chain enumerated, summed out jointly) against the float64 oracle's
// brute-force sum over all K^(M·T) joint paths, and its gradients against
// central finite differences of that sum: the markov loop for M = 2 and 3, the
// vectorizedMarkov form (what the unsupervised workflow learns with) for M = 2 and 4.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type Model, dist, sample } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { appliances } from "../src/catalogue.js";
import { type FactorialPrior, cataloguePrior, factorialModel, factorialModelVectorized, siteNames } from "../src/model.js";
import { type TinyGlobals, type TinyPrior, bruteForce, logPrior, tinyPrior } from "./oracle.js";

/** Values away from the prior's centre (so every gradient is non-trivial), transition rows on the simplex. */
function tinyGlobals(M: number): TinyGlobals {
  const types = appliances(M);
  return {
    probsTrans: types.map((_, m) => [[0.7 - 0.05 * m, 0.2, 0.1 + 0.05 * m], [0.3, 0.6, 0.1], [0.25, 0.25, 0.5]]),
    locs: types.map((a) => a.levels.map((l, k) => l * 1.05 + 0.01 * k)),
    scales: types.map((a) => a.sds.map((s) => s * 3 + 0.02)),
    noise: 0.03,
  };
}

const oracle = (y: number[], g: TinyGlobals, p: TinyPrior) => -(logPrior(g, p) + bruteForce(y, g, p.probsInit).logMarginal);

function pplLossAndGrads(model: Model<[tf.Tensor1D, FactorialPrior]>, maxPlateNesting: number, y: number[], g: TinyGlobals, prior: FactorialPrior) {
  const vars: Record<string, tf.Variable> = { noise: tf.variable(tf.scalar(g.noise)) };
  g.locs.forEach((_, m) => {
    const n = siteNames(m);
    vars[n.trans] = tf.variable(tf.tensor2d(g.probsTrans[m]!));
    vars[n.locs] = tf.variable(tf.tensor1d(g.locs[m]!));
    vars[n.scales] = tf.variable(tf.tensor1d(g.scales[m]!));
  });
  function* guide() {
    for (const [name, v] of Object.entries(vars)) yield* sample(name, dist.Delta(v, { eventDim: v.rank }));
  }
  const mains = tf.tensor1d(y);
  const names = Object.keys(vars);
  const elbo = new TraceEnumELBO({ maxPlateNesting });
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide, mains, prior) as tf.Scalar, names.map((n) => vars[n]!));
  const byVar = new Map(names.map((n) => [vars[n]!.name, n]));
  const out = { loss: value.dataSync()[0]!, grads: {} as Record<string, number[]> };
  for (const [k, gr] of Object.entries(grads)) out.grads[byVar.get(k)!] = Array.from(gr.dataSync());
  tf.dispose([value, mains, ...Object.values(grads), ...Object.values(vars)]);
  return out;
}

/** Central differences of the oracle in every coordinate of every site (transition rows as free coordinates; the test projects them onto the simplex). */
function oracleGrads(y: number[], g: TinyGlobals, p: TinyPrior): Record<string, number[]> {
  const h = 1e-6;
  const out: Record<string, number[]> = {};
  const fd = (set: (d: number) => TinyGlobals) => (oracle(y, set(h), p) - oracle(y, set(-h), p)) / (2 * h);
  const clone = (): TinyGlobals => structuredClone(g);
  out.noise = [fd((d) => ({ ...clone(), noise: g.noise + d }))];
  g.locs.forEach((_, m) => {
    const n = siteNames(m);
    out[n.locs] = g.locs[m]!.map((_, k) => fd((d) => { const c = clone(); c.locs[m]![k]! += d; return c; }));
    out[n.scales] = g.scales[m]!.map((_, k) => fd((d) => { const c = clone(); c.scales[m]![k]! += d; return c; }));
    out[n.trans] = g.probsTrans[m]!.flatMap((row, i) => row.map((_, j) => fd((d) => { const c = clone(); c.probsTrans[m]![i]![j]! += d; return c; })));
  });
  return out;
}

const CASES: { what: string; M: number; y: number[]; model: Model<[tf.Tensor1D, FactorialPrior]>; maxPlateNesting: number }[] = [
  { what: "markov loop, M = 2, T = 4", M: 2, y: [0.02, 0.11, 2.31, 1.5], model: factorialModel, maxPlateNesting: 0 },
  { what: "markov loop, M = 3, T = 2", M: 3, y: [0.1, 2.85], model: factorialModel, maxPlateNesting: 0 },
  { what: "vectorizedMarkov, M = 2, T = 4", M: 2, y: [0.02, 0.11, 2.31, 1.5], model: factorialModelVectorized, maxPlateNesting: 1 },
  // 2M = 8 enumerated dims beside time: the unsupervised workflow at M = 4, once refused for the backend's rank
  { what: "vectorizedMarkov, M = 4, T = 2", M: 4, y: [0.1, 3.05], model: factorialModelVectorized, maxPlateNesting: 1 },
];

describe("the factorial model's loss and gradients equal a float64 brute-force sum over all joint paths", () => {
  for (const c of CASES) {
    it(c.what, () => {
      const prior = cataloguePrior(appliances(c.M));
      const g = tinyGlobals(c.M);
      const tp = tinyPrior(prior);
      const truth = oracle(c.y, g, tp);
      const ppl = pplLossAndGrads(c.model, c.maxPlateNesting, c.y, g, prior);
      expect(Math.abs(ppl.loss - truth)).toBeLessThan(1e-4 * Math.abs(truth) + 1e-3);
      const want = oracleGrads(c.y, g, tp);
      const scale = Math.max(...Object.values(want).flat().map(Math.abs));
      for (const [site, raw] of Object.entries(want)) {
        // a transition row's gradient is compared along the simplex (minus its row mean), which is all any parameterisation of it sees
        const along = (x: number[]) => (site.startsWith("probs_trans") ? x.map((v, i) => v - (x[3 * Math.floor(i / 3)]! + x[3 * Math.floor(i / 3) + 1]! + x[3 * Math.floor(i / 3) + 2]!) / 3) : x);
        const fd = along(raw);
        const got = along(ppl.grads[site]!);
        expect(got, site).toHaveLength(fd.length);
        fd.forEach((v, i) => expect(Math.abs(got[i]! - v), `${site}[${i}]: ${got[i]} vs ${v}`).toBeLessThan(2e-3 * scale + 1e-3 * Math.abs(v)));
      }
    });
  }
});
