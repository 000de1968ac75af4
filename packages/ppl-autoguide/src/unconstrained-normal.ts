/**
 * The distribution an AutoNormal site samples from: a diagonal Normal in
 * unconstrained space pushed onto the site's support by bijectTo(support).
 * The density of a constrained value y is that of x = t⁻¹(y) minus the
 * log-Jacobian of t; the draw's x is cached so log-densities of our own
 * samples need no inverse (Pyro's `with_cache`).
 */
import * as tf from "@tensorflow/tfjs";
import { type Constraint, Distribution, PPLModelError, type Transform, bijectTo, dist, nextSeed, sumRightmost } from "ppl-core";

export class UnconstrainedNormal extends Distribution {
  readonly name = "UnconstrainedNormal";
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  override readonly hasRsample = true;
  private readonly transform: Transform;
  private readonly base: Distribution;
  private readonly cache = new WeakMap<tf.Tensor, tf.Tensor>();

  constructor(loc: tf.Tensor, scale: tf.Tensor, readonly support: Constraint, private readonly siteEventDim: number) {
    super();
    this.transform = bijectTo(support);
    this.base = dist.Normal(loc, scale).toEvent(siteEventDim);
    const shape = this.transform.forwardShape(loc.shape);
    this.batchShape = shape.slice(0, shape.length - siteEventDim);
    this.eventShape = shape.slice(shape.length - siteEventDim);
  }

  sample(sampleShape: readonly number[] = [], seed = nextSeed(this.name)): tf.Tensor {
    const x = this.base.sample(sampleShape, seed);
    const y = this.transform.forward(x);
    this.cache.set(y, x);
    return y;
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = this.cache.get(value) ?? this.transform.inverse(value);
      const logDet = sumRightmost(this.transform.logAbsDetJacobian(x, value), this.siteEventDim - this.transform.eventDim);
      return this.base.logProb(x).sub(logDet);
    });
  }

  override get mean(): tf.Tensor {
    throw new PPLModelError("UnconstrainedNormal has no closed-form mean; use the guide's median()");
  }
}
