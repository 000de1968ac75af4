/**
 * hmm-gaussian's decode (the MAP decode of the markov-loop model, compiled by
 * default or inferDiscrete at temperature 0 interpreted; globals at the true
 * values) of the 160-step test sequence, as run.ts's decoding row, in its own
 * process for comparing two trees or both ways (ab.mjs). Prints one JSON
 * line: the median wall and CPU ms (user + system) of a call, the first call's CPU ms, the peak RSS; compiled, the
 * compile cost (the calls before the first replay, compile-cost.ts); with `profiled` calls after the timed ones,
 * their GC share (cpu-profile.ts).
 *
 *   node --conditions=ppl-compiled dist/decode-job.js <calls> <validate 0|1> [compiled 0|1, default 1] [profiled calls, default 0]
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import { decode, decoderStats } from "hmm-gaussian/decode";
import { TRUE_PARAMS, generate } from "hmm-gaussian/truth";
import { timeUntilReplay } from "./compile-cost.js";
import { profileGc } from "./cpu-profile.js";

const [calls = "60", validate = "0", compiled = "1", profiled = "0"] = process.argv.slice(2);
const options = { interpreted: compiled === "0" };
await ready();
setValidation(validate === "1");
const y = generate(1, 160, 77).obs[0]!;
// the first call builds the decoder's plan (and records, compiled); the next warm V8's JIT
const compile = options.interpreted ? undefined : timeUntilReplay(() => decode(y, TRUE_PARAMS, options), decoderStats);
let firstCpuMs = compile?.calls[0]?.cpuMs ?? NaN;
if (compile === undefined) {
  const first = process.cpuUsage();
  decode(y, TRUE_PARAMS, options);
  const c = process.cpuUsage(first);
  firstCpuMs = (c.user + c.system) / 1000;
}
for (let i = compile?.ran ?? 1; i < 10; i++) decode(y, TRUE_PARAMS, options);
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
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const gc = Number(profiled) > 0 ? profileGc(() => {
  for (let i = 0; i < Number(profiled); i++) decode(y, TRUE_PARAMS, options);
}) : undefined;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(JSON.stringify({
  medianMs: median(times), fastestMs: Math.min(...times), cpuMs: median(cpu), firstCpuMs,
  tensors: tf.memory().numTensors, peakRssMiB, ...(compile === undefined ? {} : { compile }), ...(gc === undefined ? {} : { gc }),
}) + "\n");
