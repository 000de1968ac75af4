// ms per SVI-style evaluation (loss + gradient w.r.t. the four globals) of
// TraceEnumELBO on the seed HMM. Run: npx tsx packages/ppl-enum/bench/seed-step.ts
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { TraceEnumELBO } from "../src/index.js";
import { deltaGuide, loadJSON, seedModel } from "../test/helpers.js";

await ready();
const validate = process.argv.includes("--validate");
setValidation(validate);
const train = loadJSON<{ obs: number[][] }>("seed_train_S30_T120_seed1.json");
const obs = tf.tensor2d(train.obs);
const vars = {
  probs_init: tf.variable(tf.tensor1d([0.5, 0.3, 0.2])),
  probs_trans: tf.variable(tf.tensor2d([[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]])),
  locs: tf.variable(tf.tensor1d([0, 5, 10])),
  scales: tf.variable(tf.tensor1d([0.7, 0.7, 0.7])),
};
const guide = deltaGuide(vars);
const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
const step = () => {
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(seedModel, guide, obs, 3));
  const v = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return v;
};
for (let i = 0; i < 5; i++) step();
const n = 30;
const times: number[] = [];
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const fwd: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  elbo.loss(seedModel, guide, obs, 3);
  fwd.push(performance.now() - t0);
}
fwd.sort((a, b) => a - b);
console.log(`backend ${tf.getBackend()}, validation ${validate}: loss+grad median ${times[n >> 1]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}), loss only median ${fwd[5]!.toFixed(1)} ms; tensors ${tf.memory().numTensors}`);
