// Gradients of the example's loss through the enumerated markov chain, against central finite
// differences of the float64 forward algorithm: the globals observed (condition) as tf.variables,
// an empty guide, TraceEnumELBO's differentiable loss; Categorical normalises its probs, so the
// oracle normalises the perturbed rows the same way (the flat Dirichlet priors add 0 · log p).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { condition } from "ppl-core";
import { makeLoss } from "../src/learn.js";
import { model } from "../src/model.js";
import { SYMBOLS, TRUTHS, type PlainParams, generate } from "../src/truth.js";
import { forwardLogLik } from "./oracle.js";

const V = SYMBOLS.length;
type Raw = { probsInit: number[]; probsTrans: number[][]; probsEmit: number[][] };

const normalise = (row: readonly number[]) => {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((x) => x / s);
};
const negLogLik = (ys: number[][], r: Raw) => {
  const p: PlainParams = { probsInit: normalise(r.probsInit), probsTrans: r.probsTrans.map(normalise), probsEmit: r.probsEmit.map(normalise) };
  return -ys.reduce((s, y) => s + forwardLogLik(y, p), 0);
};

/** d(−log p(y))/d(every raw probability), by central differences in float64. */
function finiteDifferences(ys: number[][], r: Raw, h = 1e-6): Raw {
  const bump = (path: (x: Raw) => number[], i: number) => {
    const plus = structuredClone(r);
    const minus = structuredClone(r);
    path(plus)[i]! += h;
    path(minus)[i]! -= h;
    return (negLogLik(ys, plus) - negLogLik(ys, minus)) / (2 * h);
  };
  return {
    probsInit: r.probsInit.map((_, i) => bump((x) => x.probsInit, i)),
    probsTrans: r.probsTrans.map((row, k) => row.map((_, i) => bump((x) => x.probsTrans[k]!, i))),
    probsEmit: r.probsEmit.map((row, k) => row.map((_, i) => bump((x) => x.probsEmit[k]!, i))),
  };
}

describe("the loss's gradients through the enumerated chain", () => {
  it("K = 3, 3 sequences × 6 days, at the truth: every gradient within 1e-3 (relative to the largest) of finite differences", () => {
    const truth = TRUTHS[3].params;
    const { obs } = generate(3, 6, 21, truth);
    const vars = {
      probs_init: tf.variable(tf.tensor1d(truth.probsInit)),
      probs_trans: tf.variable(tf.tensor2d(truth.probsTrans)),
      probs_emit: tf.variable(tf.tensor2d(truth.probsEmit)),
    };
    const data = tf.tensor2d(obs, [3, 6], "int32");
    const observed = condition(model, vars);
    function* guide(_obs: tf.Tensor2D, _K: number, _V: number) {}
    const { grads } = tf.variableGrads(() => makeLoss().differentiableLoss(observed, guide, data, 3, V), Object.values(vars));
    const got = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.from(grads[v.name]!.dataSync())]));
    const fd = finiteDifferences(obs, truth);
    const want = { probs_init: fd.probsInit, probs_trans: fd.probsTrans.flat(), probs_emit: fd.probsEmit.flat() };
    for (const [site, g] of Object.entries(want)) {
      const scale = Math.max(...g.map(Math.abs));
      expect(scale, site).toBeGreaterThan(0.1);
      g.forEach((x, i) => expect(Math.abs(got[site]![i]! - x) / scale, `${site}[${i}]`).toBeLessThan(1e-3));
    }
    tf.dispose([data, ...Object.values(vars), ...Object.values(grads)]);
  });
});
