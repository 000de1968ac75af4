// Every tensor made during a loss evaluation or a decode is released: the
// live-tensor count after N evaluations equals the count after one.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, plate, range, sample, trace, vindex } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";

const ys = [[0.1, 1.4, 2.9, 0.2, 1.0], [3.1, 2.2, 1.0, 1.7, 0.3]];
const obs = tf.tensor2d(ys);
const trans = tf.variable(tf.tensor2d([[0.5, -0.2], [0.1, 0.3]]));
const locs = tf.variable(tf.tensor1d([0.4, 2.1]));
const loc0 = tf.variable(tf.scalar(0.3));

function* model() {
  const m = yield* sample("m", dist.Normal(0, 1));
  yield* plate("seqs", 2, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(5), function* (t) {
      const d = t === 0 ? dist.Categorical([0.5, 0.5]) : dist.Categorical({ logits: vindex(trans, "...", z!, ":") });
      z = yield* sample(`z_${t}`, d, { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z).add(m), 1), { obs: obs.slice([0, t], [2, 1]).reshape([2]) });
    });
  });
}
function* guide() {
  yield* sample("m", dist.Normal(loc0, 0.5));
}

describe("no tensor leaks", () => {
  it("TraceEnumELBO under variableGrads (SVI-style)", () => {
    const elbo = new TraceEnumELBO();
    const step = () => {
      const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide));
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(after1);
    elbo.loss(model, guide);
    expect(tf.memory().numTensors).toBe(after1);
  });

  it("inferDiscrete at both temperatures, inside tidy", () => {
    const run = (temperature: 0 | 1) => tf.tidy(() => {
      trace(inferDiscrete(model, { temperature, firstAvailableDim: -2 })).getTrace().sampleSite("z_3").value.dataSync();
    });
    run(0);
    run(1);
    const after = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      run(0);
      run(1);
    }
    expect(tf.memory().numTensors).toBe(after);
  });
});
