// Enumerated sites inside a sequential plate (Pyro's `for i in pyro.plate(...)`):
// each iteration's variable is its own, contracted apart from the others'.
// Oracle: the mixture likelihood written out in float64.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, plate, sample, trace, vindex } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { logSumExp, normalLogPdf, relErr } from "./helpers.js";

const w = [0.3, 0.7];
const mu = [-1, 1.5];
const xs = [-1.2, 0.3, 2.0];
function* emptyGuide() {}

function* model() {
  yield* plate("data", xs.length, { sequential: true }, function* (i) {
    const c = yield* sample(`c_${i}`, dist.Categorical(w), { infer: { enumerate: "parallel" } });
    yield* sample(`x_${i}`, dist.Normal(vindex(tf.tensor1d(mu), "...", c), 1), { obs: xs[i]! });
  });
}

describe("a sequential plate around enumerated sites", () => {
  it("TraceEnumELBO sums each iteration's variable out on its own", () => {
    const truth = xs.reduce((s, x) => s + logSumExp(w.map((wk, k) => Math.log(wk) + normalLogPdf(x, mu[k]!, 1))), 0);
    const loss = new TraceEnumELBO().loss(model, emptyGuide);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("inferDiscrete gives each member its MAP component", () => {
    const tr = trace(inferDiscrete(model, { temperature: 0 })).getTrace();
    const got = xs.map((_, i) => tr.sampleSite(`c_${i}`).value.dataSync()[0]);
    const want = xs.map((x) => (Math.log(w[0]!) + normalLogPdf(x, mu[0]!, 1) > Math.log(w[1]!) + normalLogPdf(x, mu[1]!, 1) ? 0 : 1));
    expect(got).toEqual(want);
  });
});
