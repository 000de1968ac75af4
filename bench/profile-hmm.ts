/**
 * Which tfjs kernels one SVI step of an hmm.py model runs, with their shapes
 * and wall times (tf.profile), summed by kernel and output shape. For finding
 * what dominates a step; `pnpm bench` does the timing.
 *
 *   cd bench && npx tsc -b && node --conditions=ppl-compiled dist/profile-hmm.js [model=1] [top=15]
 *   node --cpu-prof --conditions=ppl-compiled dist/run.js --only=svi-step/hmm-py/model_1   the JS/wasm view
 */
import * as tf from "@tensorflow/tfjs";
import { ready, setValidation } from "ppl-core";
import type { ModelNumber } from "hmm-family/models";
import { HMM_SIZE, hmmStep } from "./hmm-family.js";

const model = Number(process.argv[2] ?? 1) as ModelNumber;
const top = Number(process.argv[3] ?? 15);
await ready();
setValidation(false);
const { step, dispose } = hmmStep(model, HMM_SIZE);
for (let i = 0; i < 3; i++) step();
const t0 = performance.now();
const info = await tf.profile(() => {
  step();
  return [];
});
const wall = performance.now() - t0;
dispose();

interface Group { ms: number; count: number; elements: number }
const groups = new Map<string, Group>();
const byKernel = new Map<string, Group>();
let kernelMs = 0;
for (const k of info.kernels) {
  const ms = await k.kernelTimeMs;
  const t = typeof ms === "number" ? ms : 0;
  kernelMs += t;
  const out = k.outputShapes.map((s) => `[${(s ?? []).join(",")}]`).join(" ");
  const ins = k.inputShapes.map((s) => `[${(s ?? []).join(",")}]`).join(" ");
  const elements = k.outputShapes.reduce((a, s) => a + (s ?? []).reduce((x, y) => x * y, 1), 0);
  for (const [map, key] of [[groups, `${k.name} ${ins} -> ${out}`], [byKernel, k.name]] as const) {
    const g = map.get(key) ?? { ms: 0, count: 0, elements: 0 };
    g.ms += t;
    g.count += 1;
    g.elements += elements;
    map.set(key, g);
  }
}
const line = (key: string, g: Group) =>
  `${g.ms.toFixed(1).padStart(8)} ms ${((100 * g.ms) / kernelMs).toFixed(1).padStart(5)} % ${String(g.count).padStart(6)}×  ${(g.elements / 1e6).toFixed(2).padStart(7)} M out  ${key}`;
console.log(`model_${model}: one SVI step under tf.profile ${wall.toFixed(0)} ms wall, ${info.kernels.length} kernels, ${kernelMs.toFixed(0)} ms in kernels`);
console.log("\nby kernel:");
for (const [k, g] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) console.log(line(k, g));
console.log("\nby kernel and shapes:");
for (const [k, g] of [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) console.log(line(k, g));
