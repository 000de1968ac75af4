/**
 * The hierarchical program of issue 29 in its own process, so its peak RSS is its own: a
 * two-level model of the delays of 10 000 real flights (vega-datasets' flights-10k), an
 * effect per origin airport drawn around a global mean, minibatches of 500 flights, AutoNormal,
 * ClippedAdam with a StepLR schedule. Prints one JSON line. Run compiled by run.ts:
 *
 *   node --conditions=ppl-compiled dist/flights-job.js <steps> <numParticles> <vectorize: 0|1> [compiled: 0|1]
 *
 * compiled 1 runs JitTraceELBO (docs/compiled.md: the minibatch's indices and AutoNormal's draws are the
 * replayed program's inputs, drawn afresh each step) and prints its compileStats.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { ClippedAdam, JitTraceELBO, SVI, StepLR, TraceELBO, clearParamStore, dist, plate, ready, sample, setRngSeed, setValidation } from "ppl-core";
import { AutoNormal } from "ppl-autoguide";

interface Flight { delay: number; distance: number; origin: string }

const [stepsArg = "300", particlesArg = "1", vectorizeArg = "0", compiledArg = "0"] = process.argv.slice(2);
const steps = Number(stepsArg);
const numParticles = Number(particlesArg);
const vectorizeParticles = vectorizeArg === "1";

// vega-datasets exports no data subpath: read the file from the bench's node_modules (src or dist/)
const here = dirname(fileURLToPath(import.meta.url));
const benchDir = here.endsWith("dist") ? dirname(here) : here;
const flights = JSON.parse(readFileSync(join(benchDir, "node_modules", "vega-datasets", "data", "flights-10k.json"), "utf8")) as Flight[];
const airports = [...new Set(flights.map((f) => f.origin))].sort();
const index = new Map(airports.map((a, i) => [a, i]));
const N = flights.length;
const A = airports.length;
const BATCH = 500;

await ready();
setValidation(false);
clearParamStore();
setRngSeed(0);
// delays in hours, distances in thousands of miles: both of order 1
const delay = tf.tensor1d(flights.map((f) => f.delay / 60));
const distance = tf.tensor1d(flights.map((f) => f.distance / 1000));
const origin = tf.tensor1d(flights.map((f) => index.get(f.origin)!), "int32");

function* model(y: tf.Tensor1D, x: tf.Tensor1D, o: tf.Tensor1D) {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  const tau = yield* sample("tau", dist.HalfNormal(1));
  const beta = yield* sample("beta", dist.Normal(0, 1));
  const sigma = yield* sample("sigma", dist.HalfNormal(1));
  const effect = yield* plate("airports", A, function* () {
    return yield* sample("effect", dist.Normal(mu, tau));
  });
  yield* plate("flights", N, { subsampleSize: BATCH }, function* (idx) {
    // the airport of each flight of the minibatch, along the airports dim (vectorised particles add dims on the left)
    const mean = effect.gather(o.gather(idx), effect.rank - 1).add(beta.mul(x.gather(idx)));
    yield* sample("delay", dist.Normal(mean, sigma), { obs: y.gather(idx) });
  });
}

const guide = new AutoNormal(model);
const scheduler = new StepLR(new ClippedAdam({ lr: 0.05 }), { stepSize: 100, gamma: 0.5 });
const Elbo = compiledArg === "1" ? JitTraceELBO : TraceELBO;
const elbo = new Elbo(vectorizeParticles ? { numParticles, vectorizeParticles, maxPlateNesting: 1 } : { numParticles });
const svi = new SVI(model, guide, scheduler, elbo);
const times: number[] = [];
let rssPeak = 0;
const t0 = performance.now();
// CPU time as well as wall time: on a shared machine the wall clock measures the neighbours too
const cpu0 = process.cpuUsage();
let loss = NaN;
for (let i = 0; i < steps; i++) {
  const s = performance.now();
  loss = svi.step(delay, distance, origin);
  scheduler.step();
  times.push(performance.now() - s);
  if (i % 25 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const sorted = times.slice(5).sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  seconds,
  medianStepMs: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN,
  cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps,
  finalLoss: loss,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  sampledRssMiB: rssPeak / 2 ** 20,
  heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
  tensors: tf.memory().numTensors,
  flights: N,
  airports: A,
  ...(elbo instanceof JitTraceELBO ? { compileStats: elbo.compileStats } : {}),
}) + "\n");
