/**
 * One seed job in its own process, so its peak RSS is its own: learnBest
 * (restarts × steps) on generate(S, T) and a Viterbi decode of the test
 * sequence. Prints one JSON line. Run compiled (node --conditions=ppl-compiled
 * dist/seed-job.js form S T steps restarts) by run.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { decode } from "hmm-gaussian/decode";
import { type ModelForm, learnBest, sortByLocs } from "hmm-gaussian/learn";
import { generate } from "hmm-gaussian/truth";

const [form, S, T, steps, restarts] = process.argv.slice(2);
await ready();
setValidation(false);
const data = generate(Number(S), Number(T), 1);
const test = generate(1, 160, 77);
const t0 = performance.now();
const obs = tf.tensor2d(data.obs);
const { best } = learnBest(obs, 3, { form: form as ModelForm, steps: Number(steps), lr: 0.05, seed: 0 }, Number(restarts));
obs.dispose();
const decoded = decode(test.obs[0]!, sortByLocs(best.params));
const seconds = (performance.now() - t0) / 1000;
const accuracy = decoded.filter((z, t) => z === test.states[0]![t]).length / decoded.length;
process.stdout.write(JSON.stringify({
  seconds, bestLoss: best.finalLoss, accuracy,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
  tensors: tf.memory().numTensors,
}) + "\n");
