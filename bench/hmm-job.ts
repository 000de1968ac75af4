/**
 * One hmm.py row in its own process (run by run.ts): a model that fails in a
 * wasm kernel can leave the wasm heap corrupt, which would break every row
 * after it. Prints one JSON line: the timing (with `compiled`, the compile
 * cost; with `profiled` steps, their GC share), or the error, and the peak RSS.
 *
 *   node --conditions=ppl-compiled dist/hmm-job.js <model> <warmup> <timed> [compiled 0|1] [profiled steps, default 0]
 */
import { ready, setValidation } from "ppl-core";
import type { ModelNumber } from "hmm-family/models";
import { HMM_SIZE, hmmStepTimes } from "./hmm-family.js";

const [model, warmup, timed, compiled, profiled = 0] = process.argv.slice(2).map(Number);
await ready();
setValidation(false);
let out: object;
try {
  out = hmmStepTimes(model as ModelNumber, HMM_SIZE, { warmup: warmup!, timed: timed!, profiled }, compiled === 1);
} catch (err) {
  const e = err as Error;
  out = { error: `${e.name}: ${e.message.split("\n")[0]}`, stack: e.stack };
}
// the timing's peak RSS (taken before its profiled steps) when it ran, else the process's
process.stdout.write(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024, ...out }) + "\n");
