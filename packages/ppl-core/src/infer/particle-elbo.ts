/**
 * What every ELBO shares: averaging over `numParticles` guide draws, either
 * one run per particle or all particles at once in an outer plate
 * (`vectorizeParticles`, Pyro's vectorize_particles: one run, every tensor
 * with one more batch dim left of the model's plates), and the
 * maxPlateNesting that placement needs (given, or found by one plain run).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { inOuterPlate } from "../handlers/plate.js";
import { withStepCache } from "../ops/step-cache.js";
import type { Model } from "../runtime/messages.js";
import type { ELBO } from "./elbo.js";
import { guessMaxPlateNesting } from "./max-plate-nesting.js";

/** The zod fields of the particle options, for each ELBO's own schema. */
export const particleOptions = {
  numParticles: z._default(z.int().check(z.positive()), 1),
  vectorizeParticles: z._default(z.boolean(), false),
  maxPlateNesting: z.optional(z.int().check(z.nonnegative())),
};

/** Options every ELBO takes. */
export interface ParticleOptions {
  /** Guide draws averaged per step (default 1). */
  readonly numParticles?: number;
  /** Draw all particles at once in an outer plate instead of one run each (default false). */
  readonly vectorizeParticles?: boolean;
  /** How many plate dims (from the right) the model uses; found by a first run when left out and needed. */
  readonly maxPlateNesting?: number;
}

/** The outer plate of vectorised particles (Pyro's name). */
export const PARTICLE_PLATE = "num_particles_vectorized";

/** The base of ppl's ELBOs: a subclass says how one particle's surrogate ELBO is made. */
export abstract class ParticleELBO implements ELBO {
  /** Guide draws averaged per step. */
  readonly numParticles: number;
  /** Whether the particles run at once in an outer plate. */
  readonly vectorizeParticles: boolean;
  private readonly givenPlateNesting: number | undefined;
  private inferredPlateNesting: number | undefined;

  protected constructor(o: { numParticles: number; vectorizeParticles: boolean; maxPlateNesting?: number | undefined }) {
    this.numParticles = o.numParticles;
    this.vectorizeParticles = o.vectorizeParticles;
    this.givenPlateNesting = o.maxPlateNesting;
  }

  /** The maxPlateNesting in use (given, or inferred by the first call that needed it). */
  get maxPlateNesting(): number | undefined {
    return this.givenPlateNesting ?? this.inferredPlateNesting;
  }

  /**
   * One particle's surrogate ELBO: its value is the ELBO (summed over the
   * particle plate when vectorised), its gradient the ELBO's gradient
   * estimate. `maxPlateNesting` counts the particle plate.
   */
  protected abstract surrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined): tf.Tensor;

  /**
   * `weight` times `surrogate` (the loss is the surrogate times −1/numParticles).
   * An ELBO that sums its terms in one op overrides it to weigh the terms
   * there: a product by a number is a kernel forward and one backward a step.
   */
  protected weightedSurrogate<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A, maxPlateNesting: number | undefined, weight: number): tf.Tensor {
    const s = this.surrogate(model, guide, args, maxPlateNesting);
    return weight === -1 ? s.neg() : s.mul(weight);
  }

  /** Whether `surrogate` needs maxPlateNesting even without vectorised particles (enumeration does). */
  protected needsPlateNesting(): boolean {
    return false;
  }

  differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar {
    // one step cache per call: what a markov chain derives from the params once is shared by its steps
    return withStepCache(() => this.particles(model, guide, args));
  }

  private particles<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A): tf.Scalar {
    return tf.tidy(() => {
      const n = this.numParticles;
      if (this.vectorizeParticles && n > 1) {
        const nesting = this.plateNesting(model, guide, args);
        const inPlate = (m: Model<A>) => inOuterPlate(m, PARTICLE_PLATE, n, -1 - nesting, {
          who: `${this.constructor.name}({ numParticles: ${n}, vectorizeParticles: true })`,
          fix: "fewer particles, or vectorizeParticles: false (one run per particle)",
        });
        return this.weightedSurrogate(inPlate(model), inPlate(guide), args, nesting + 1, -1 / n) as tf.Scalar;
      }
      const nesting = this.needsPlateNesting() ? this.plateNesting(model, guide, args) : this.maxPlateNesting;
      if (n === 1) return this.weightedSurrogate(model, guide, args, nesting, -1) as tf.Scalar;
      let total = this.surrogate(model, guide, args, nesting);
      for (let p = 1; p < n; p++) total = total.add(this.surrogate(model, guide, args, nesting));
      return total.mul(-1 / n) as tf.Scalar;
    });
  }

  loss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): number {
    return tf.tidy(() => this.differentiableLoss(model, guide, ...args).dataSync()[0]!);
  }

  private plateNesting<A extends unknown[]>(model: Model<A>, guide: Model<A>, args: A): number {
    return this.maxPlateNesting ?? (this.inferredPlateNesting = guessMaxPlateNesting(model, guide, args));
  }
}
