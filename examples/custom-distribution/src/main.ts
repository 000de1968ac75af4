// pnpm --filter custom-distribution start
import { describeBackend, ready } from "ppl-core";
import { fit } from "./fit.js";

await ready();
console.log(describeBackend());
const t0 = performance.now();
const r = fit();
for (let s = 0; s < r.losses.length; s += 100) console.log(`step ${String(s).padStart(4)}  loss ${r.losses[s]!.toFixed(2)}`);
console.log(`concentration1: learned ${r.a.toFixed(3)}, truth ${r.truth.a}`);
console.log(`concentration0: learned ${r.b.toFixed(3)}, truth ${r.truth.b}`);
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(2)} s`);
