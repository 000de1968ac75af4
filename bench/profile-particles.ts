/**
 * Which tfjs kernels one SVI step of an issue 29 particle program runs (tf.profile), counted by
 * kernel, with the step's CPU time beside. For finding what dominates a vectorised-particle step;
 * bench/particles.ts does the timing.
 *
 *   cd bench && npx tsc -b && node --conditions=ppl-compiled dist/profile-particles.js [coin|regression] [particles=8] [vectorize=1] [compiled=0]
 *   node --cpu-prof --conditions=ppl-compiled dist/particles-job.js regression 2000 8 1   the JS/wasm view
 */
import * as tf from "@tensorflow/tfjs";
import { clearParamStore, ready, setRngSeed, setValidation } from "ppl-core";
import { particlesProgram } from "./particles-programs.js";

const [program = "coin", particlesArg = "8", vectorizeArg = "1", compiledArg = "0"] = process.argv.slice(2);
await ready();
setValidation(false);
clearParamStore();
setRngSeed(0);
const { svi, args } = particlesProgram(program, Number(particlesArg), vectorizeArg === "1", compiledArg === "1");
for (let i = 0; i < 5; i++) svi.step(...args);
const info = await tf.profile(() => {
  svi.step(...args);
  return [];
});
const byKernel = new Map<string, number>();
for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + 1);
console.log(`${program}, ${particlesArg} particle(s)${vectorizeArg === "1" ? " vectorised" : ""}${compiledArg === "1" ? ", compiled" : ""}: ${info.kernels.length} kernels a step`);
for (const [k, n] of [...byKernel].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(6)}×  ${k}`);
