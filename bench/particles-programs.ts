/**
 * Issue 29's small programs with several particles (bench/particles-job.ts times them,
 * bench/profile-particles.ts lists their kernels): the coin of Pyro's SVI tutorial (a Beta prior
 * on the fairness, 10 observed flips in a plate, a hand-written Beta guide) and a Bayesian
 * regression on a real table (vega-datasets' cars: log miles per gallon on standardised weight
 * and horsepower, 392 complete rows, a noise sd, AutoNormal), each with
 * TraceELBO({ numParticles, vectorizeParticles }), or its compiled twin JitTraceELBO (docs/compiled.md:
 * the regression's AutoNormal draws replay; the coin's Beta guide draws in JS and runs interpreted).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { Adam, JitTraceELBO, SVI, TraceELBO, type TraceELBOOptions, constraints, dist, param, plate, sample } from "ppl-core";
import { AutoNormal } from "ppl-autoguide";

interface Car { Miles_per_Gallon: number | null; Horsepower: number | null; Weight_in_lbs: number | null }

/** An SVI, the arguments of its steps, and its loss. */
export interface ParticlesProgram { svi: SVI<unknown[]>; args: unknown[]; elbo: TraceELBO }

const makeElbo = (options: TraceELBOOptions, compiled: boolean): TraceELBO => (compiled ? new JitTraceELBO(options) : new TraceELBO(options));

/** The coin: 6 heads in 10 flips, Beta(10, 10) prior, a Beta guide with positive params (Pyro's SVI Part I). */
function coin(numParticles: number, vectorizeParticles: boolean, compiled: boolean): ParticlesProgram {
  function* model(flips: tf.Tensor1D) {
    const f = yield* sample("latent_fairness", dist.Beta(10, 10));
    yield* plate("data", flips.shape[0], function* () {
      yield* sample("obs", dist.Bernoulli(f), { obs: flips });
    });
  }
  function* guide(_flips: tf.Tensor1D) {
    const alpha = yield* param("alpha_q", () => tf.scalar(15), { constraint: constraints.positive });
    const beta = yield* param("beta_q", () => tf.scalar(15), { constraint: constraints.positive });
    yield* sample("latent_fairness", dist.Beta(alpha, beta));
  }
  const elbo = makeElbo({ numParticles, vectorizeParticles, maxPlateNesting: 1 }, compiled);
  const svi = new SVI(model, guide, new Adam({ lr: 0.0005, betas: [0.9, 0.999] }), elbo);
  return { svi: svi as unknown as SVI<unknown[]>, args: [tf.tensor1d([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])], elbo };
}

/** The regression: log mpg ~ N(a + bw·weight + bh·horsepower, sigma), AutoNormal (Pyro's Bayesian regression tutorial, on cars). */
function regression(numParticles: number, vectorizeParticles: boolean, compiled: boolean): ParticlesProgram {
  // vega-datasets exports no data subpath: read the file from the bench's node_modules (src or dist/)
  const here = dirname(fileURLToPath(import.meta.url));
  const benchDir = here.endsWith("dist") ? dirname(here) : here;
  const cars = (JSON.parse(readFileSync(join(benchDir, "node_modules", "vega-datasets", "data", "cars.json"), "utf8")) as Car[])
    .filter((c) => c.Miles_per_Gallon !== null && c.Horsepower !== null && c.Weight_in_lbs !== null);
  const standardise = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    return v.map((x) => (x - m) / s);
  };
  const w = standardise(cars.map((c) => c.Weight_in_lbs!));
  const h = standardise(cars.map((c) => c.Horsepower!));
  const X = tf.tensor2d(cars.map((_, i) => [w[i]!, h[i]!]));
  const y = tf.tensor1d(cars.map((c) => Math.log(c.Miles_per_Gallon!)));
  function* model(x: tf.Tensor2D, obs: tf.Tensor1D) {
    const a = yield* sample("a", dist.Normal(3, 1));
    const b = yield* sample("b", dist.Normal(0, 1).expand([2]).toEvent(1));
    const sigma = yield* sample("sigma", dist.Uniform(0, 10));
    yield* plate("data", x.shape[0], function* () {
      // x [N, 2] times b [..., 2] summed over the last dim: vectorised particles' dims stay on the left
      const mean = a.add(x.mul(b).sum(-1));
      yield* sample("obs", dist.Normal(mean, sigma), { obs });
    });
  }
  const elbo = makeElbo({ numParticles, vectorizeParticles, maxPlateNesting: 1 }, compiled);
  const svi = new SVI(model, new AutoNormal(model), new Adam({ lr: 0.03 }), elbo);
  return { svi: svi as unknown as SVI<unknown[]>, args: [X, y], elbo };
}

/** The program named `name` (coin or regression); `compiled`: JitTraceELBO. */
export function particlesProgram(name: string, numParticles: number, vectorizeParticles: boolean, compiled = false): ParticlesProgram {
  if (name === "coin") return coin(numParticles, vectorizeParticles, compiled);
  if (name === "regression") return regression(numParticles, vectorizeParticles, compiled);
  throw new Error(`particles: unknown program '${name}' (coin or regression)`);
}
