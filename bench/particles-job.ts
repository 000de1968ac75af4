/**
 * One of issue 29's particle programs (bench/particles-programs.ts) in its own process: a few
 * warm-up steps, then `steps` timed ones. Prints one JSON line. Run compiled by particles.ts:
 *
 *   node --conditions=ppl-compiled dist/particles-job.js <coin|regression> <steps> <numParticles> <vectorize: 0|1> [compiled: 0|1]
 *
 * compiled 1 runs JitTraceELBO (docs/compiled.md) and prints its compileStats.
 */
import * as tf from "@tensorflow/tfjs";
import { JitTraceELBO, clearParamStore, ready, setRngSeed, setValidation } from "ppl-core";
import { particlesProgram } from "./particles-programs.js";

const [program = "coin", stepsArg = "300", particlesArg = "8", vectorizeArg = "1", compiledArg = "0"] = process.argv.slice(2);
const steps = Number(stepsArg);

await ready();
setValidation(false);
clearParamStore();
setRngSeed(0);

const { svi, args, elbo } = particlesProgram(program, Number(particlesArg), vectorizeArg === "1", compiledArg === "1");
for (let i = 0; i < 5; i++) svi.step(...args);
const times: number[] = [];
const t0 = performance.now();
// CPU time as well as wall time: on a shared machine the wall clock measures the neighbours too
const cpu0 = process.cpuUsage();
let loss = NaN;
for (let i = 0; i < steps; i++) {
  const s = performance.now();
  loss = svi.step(...args);
  times.push(performance.now() - s);
}
const cpu = process.cpuUsage(cpu0);
const sorted = [...times].sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  seconds: (performance.now() - t0) / 1000,
  medianStepMs: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN,
  minStepMs: sorted[0] ?? NaN,
  cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps,
  finalLoss: loss,
  tensors: tf.memory().numTensors,
  ...(elbo instanceof JitTraceELBO ? { compileStats: elbo.compileStats } : {}),
}) + "\n");
