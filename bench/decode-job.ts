/**
 * hmm-gaussian's decode (inferDiscrete at temperature 0 on the markov-loop model,
 * globals at the true values) of the 160-step test sequence, as run.ts's
 * decoding row, in its own process for comparing two trees (ab.mjs). Prints
 * one JSON line: the median wall and CPU ms (user + system) of a call.
 *
 *   node --conditions=ppl-compiled dist/decode-job.js <calls> <validate 0|1>
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { decode } from "hmm-gaussian/decode";
import { TRUE_PARAMS, generate } from "hmm-gaussian/truth";

const [calls = "60", validate = "0"] = process.argv.slice(2);
await ready();
setValidation(validate === "1");
const y = generate(1, 160, 77).obs[0]!;
// the first calls build the decoder's plan and warm the JIT
for (let i = 0; i < 10; i++) decode(y, TRUE_PARAMS);
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Number(calls); i++) {
  const s = performance.now();
  const c0 = process.cpuUsage();
  decode(y, TRUE_PARAMS);
  const c = process.cpuUsage(c0);
  times.push(performance.now() - s);
  cpu.push((c.user + c.system) / 1000);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(JSON.stringify({
  medianMs: median(times), fastestMs: Math.min(...times), cpuMs: median(cpu), tensors: tf.memory().numTensors,
}) + "\n");
