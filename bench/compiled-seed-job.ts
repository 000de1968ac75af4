/**
 * A seed form's compiled step (S=30 sequences of T=120, K=3) in a fresh
 * process, as a user's first run pays it: the compile cost (the steps before
 * the first replay, compile-cost.ts), then `warmup` steps, then the GC share of
 * `profiled` steps (cpu-profile.ts). Prints one JSON line. Run by run.ts:
 *
 *   node --conditions=ppl-compiled dist/compiled-seed-job.js <markov|vectorizedMarkov|vectorized> <warmup> <profiled> <validate 0|1>
 */
import { ready, setValidation } from "ppl-core";
import type { ModelForm } from "hmm-gaussian/learn";
import { generate } from "hmm-gaussian/truth";
import { timeUntilReplay } from "./compile-cost.js";
import { profileGc } from "./cpu-profile.js";
import { seedStep } from "./seed-svi.js";

const [form, warmup, profiled, validate] = process.argv.slice(2);
await ready();
setValidation(validate === "1");
const { step, compileStats, lossCalls, dispose } = seedStep(form as ModelForm, generate(30, 120, 1).obs, 3, true);
const compile = timeUntilReplay(step, compileStats!, 4, lossCalls);
for (let i = 0; i < Number(warmup); i++) step();
const gc = profileGc(() => {
  for (let i = 0; i < Number(profiled); i++) step();
});
dispose();
process.stdout.write(JSON.stringify({ form, compile, gc, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
