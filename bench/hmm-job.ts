/**
 * One hmm.py row in its own process (run by run.ts): a model that fails in a
 * wasm kernel can leave the wasm heap corrupt, which would break every row
 * after it. Prints one JSON line: the timing, or the error, and the peak RSS.
 *
 *   node --conditions=ppl-compiled dist/hmm-job.js <model> <warmup> <timed> [compiled 0|1]
 */
import { ready, setValidation } from "ppl-core";
import type { ModelNumber } from "hmm-family/models";
import { HMM_SIZE, hmmStepTimes } from "./hmm-family.js";

const [model, warmup, timed, compiled] = process.argv.slice(2).map(Number);
await ready();
setValidation(false);
let out: object;
try {
  out = hmmStepTimes(model as ModelNumber, HMM_SIZE, { warmup: warmup!, timed: timed! }, compiled === 1);
} catch (err) {
  const e = err as Error;
  out = { error: `${e.name}: ${e.message.split("\n")[0]}`, stack: e.stack };
}
process.stdout.write(JSON.stringify({ ...out, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
