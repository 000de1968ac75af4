/**
 * hmm-gaussian's decode (the MAP decode of the markov-loop model, compiled by
 * default or inferDiscrete at temperature 0 interpreted; globals at the true
 * values) of the 160-step test sequence, as run.ts's decoding row, in its own
 * process for comparing two trees or both ways (ab.mjs). Prints one JSON
 * line: the median wall and CPU ms (user + system) of a call, the first call's CPU ms, the peak RSS.
 *
 *   node --conditions=ppl-compiled dist/decode-job.js <calls> <validate 0|1> [compiled 0|1, default 1]
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { decode } from "hmm-gaussian/decode";
import { TRUE_PARAMS, generate } from "hmm-gaussian/truth";

const [calls = "60", validate = "0", compiled = "1"] = process.argv.slice(2);
const options = { interpreted: compiled === "0" };
await ready();
setValidation(validate === "1");
const y = generate(1, 160, 77).obs[0]!;
// the first call builds the decoder's plan (and records, compiled); the next warm V8's JIT
const first = process.cpuUsage();
decode(y, TRUE_PARAMS, options);
const firstCpu = process.cpuUsage(first);
for (let i = 1; i < 10; i++) decode(y, TRUE_PARAMS, options);
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Number(calls); i++) {
  const s = performance.now();
  const c0 = process.cpuUsage();
  decode(y, TRUE_PARAMS, options);
  const c = process.cpuUsage(c0);
  times.push(performance.now() - s);
  cpu.push((c.user + c.system) / 1000);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(JSON.stringify({
  medianMs: median(times), fastestMs: Math.min(...times), cpuMs: median(cpu), firstCpuMs: (firstCpu.user + firstCpu.system) / 1000,
  tensors: tf.memory().numTensors, peakRssMiB: process.resourceUsage().maxRSS / 1024,
}) + "\n");
