/**
 * The median SVI step of one seed form (S=30 sequences of T=120, K=3, as
 * docs/performance.md's seed rows) in its own process, for comparing two trees
 * step by step (ab.mjs). Prints one JSON line: wall and CPU ms (user + system:
 * less disturbed by other processes on a shared machine) per step, and the
 * first step's (with `compiled`, the step that records the program), and the
 * process's peak RSS.
 *
 *   node --conditions=ppl-compiled dist/step-job.js <markov|vectorizedMarkov|vectorized> <steps> <validate 0|1> [compiled 0|1]
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { type ModelForm, learn } from "hmm-gaussian/learn";
import { generate } from "hmm-gaussian/truth";

const [form, steps, validate, compiled] = process.argv.slice(2);
await ready();
setValidation(validate === "1");
const obs = tf.tensor2d(generate(30, 120, 1).obs);
const times: number[] = [];
const cpu: number[] = [];
let last = performance.now();
let lastCpu = process.cpuUsage();
learn(obs, 3, {
  form: form as ModelForm, steps: Number(steps), lr: 0.05, seed: 0, compiled: compiled === "1",
  onStep: () => {
    const now = performance.now();
    times.push(now - last);
    last = now;
    const c = process.cpuUsage(lastCpu);
    cpu.push((c.user + c.system) / 1000);
    lastCpu = process.cpuUsage();
  },
});
obs.dispose();
// the first steps pay one-off costs (kernel set-up, plan building): judge from the second half
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const half = Math.floor(times.length / 2);
process.stdout.write(JSON.stringify({
  form, compiled: compiled === "1", medianMs: median(times.slice(half)), fastestMs: Math.min(...times.slice(half)), cpuMs: median(cpu.slice(half)),
  firstStepMs: times[0], firstStepCpuMs: cpu[0], peakRssMiB: process.resourceUsage().maxRSS / 1024,
}) + "\n");
