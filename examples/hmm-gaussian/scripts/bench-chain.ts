/**
 * Issue 13 item 2's measurements (not asserted): inferDiscrete on the
 * markov-loop model (the one the example trains), T = 160, and one SVI step
 * of each seed form. Warm-up, then the median of 10.
 *   tsx scripts/bench-chain.ts
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, SVI, block, clearParamStore, condition, ready, setRngSeed, setValidation, trace } from "ppl-core";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { inferDiscrete } from "ppl-enum";
import { decode } from "../src/decode.js";
import { type ModelForm, modelAndLoss } from "../src/learn.js";
import { GLOBAL_SITES, model } from "../src/model.js";
import { TRUE_PARAMS, generate } from "../src/truth.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function time(f: () => void, warm = 3, n = 10): number {
  for (let i = 0; i < warm; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = process.cpuUsage();
    f();
    const d = process.cpuUsage(s);
    ts.push((d.user + d.system) / 1000);
  }
  return median(ts);
}

function sviStep(form: ModelForm, obs: number[][]): number {
  clearParamStore();
  setRngSeed(0);
  const { model: m, loss } = modelAndLoss(form);
  const guide = new AutoDelta(block(m, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
  const svi = new SVI(m, guide, new Adam({ lr: 0.05 }), loss);
  const x = tf.tensor2d(obs);
  const losses = [0, 1, 2].map(() => svi.step(x, 3));
  console.log(`  ${form} losses of steps 1-3: ${losses.map((l) => l.toPrecision(10)).join(", ")}`);
  const ms = time(() => svi.step(x, 3), 5, 10);
  x.dispose();
  clearParamStore();
  return ms;
}

await ready();
// as pnpm bench runs (validation reads every parameter back from the device)
setValidation(false);
const test = generate(1, 160, 77);
const y = test.obs[0]!;
const p = TRUE_PARAMS;
const globals = {
  probs_init: tf.tensor1d(p.probsInit), probs_trans: tf.tensor2d(p.probsTrans), locs: tf.tensor1d(p.locs), scales: tf.tensor1d(p.scales),
};
const loopDecoder = inferDiscrete(condition(model, globals), { firstAvailableDim: -2, temperature: 0 });
const obs = tf.tensor2d([y]);
const loopMs = time(() => tf.tidy(() => void trace(loopDecoder).getTrace(obs, 3)), 30);
console.log(`inferDiscrete, markov-loop model, T=160: ${loopMs.toFixed(2)} ms`);
console.log(`decode() (the example's), T=160: ${time(() => void decode(y, p), 30).toFixed(2)} ms`);
const data = generate(30, 120, 1);
for (const form of ["markov", "vectorized", "vectorizedMarkov"] as const) {
  console.log(`svi-step/${form} S=30 T=120 K=3: ${sviStep(form, data.obs).toFixed(2)} ms`);
}
