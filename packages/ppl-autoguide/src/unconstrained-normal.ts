/**
 * The distribution an AutoNormal site samples from: a diagonal Normal in
 * unconstrained space pushed onto the site's support by bijectTo(support).
 * The density of a constrained value y is that of x = t⁻¹(y) minus the
 * log-Jacobian of t; the draw's x is cached so log-densities of our own
 * samples need no inverse (Pyro's `with_cache`), and with it the draw's noise
 * ε, from which the Normal density of x = loc + scale · ε is −½ε² − log scale
 * − ½ log 2π (the same function of loc and scale, as one op of scale alone).
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, Distribution, PPLModelError, type Transform, bijectTo, dist, nextSeed, normalNoise, transforms } from "ppl-core";
import { broadcastShapes, normalLogProbOfNoise, rsampleNormalFromNoise, sumRightmost } from "ppl-core/internal";

/**
 * A diagonal Normal in unconstrained space pushed onto `support` by
 * `bijectTo(support)`: what each AutoNormal site samples from.
 *
 * ```ts
 * const d = new UnconstrainedNormal(tf.scalar(0.3), tf.scalar(0.5), constraints.positive, 0); // a LogNormal(0.3, 0.5)
 * ```
 */
export class UnconstrainedNormal extends Distribution {
  readonly name = "UnconstrainedNormal";
  /** The site's batch shape. */
  readonly batchShape: readonly number[];
  /** The site's event shape (constrained). */
  readonly eventShape: readonly number[];
  /** The site's support: where the draws land. */
  readonly support: Constraint;
  override readonly hasRsample = true;
  private readonly transform: Transform;
  private readonly base: Distribution;
  /** Our own draws: the value → its unconstrained x and the noise ε that made it. */
  private readonly cache = new WeakMap<tf.Tensor, { readonly x: tf.Tensor; readonly noise: tf.Tensor }>();
  /** How many rightmost dims of x are one unconstrained event. */
  private readonly baseEventDim: number;

  /**
   * @param loc the unconstrained mean, shaped like the unconstrained value
   * @param scale the unconstrained sd, same shape
   * @param support the site's support (the value's constraint)
   * @param siteEventDim the site's event rank
   */
  constructor(private readonly loc: tf.Tensor, private readonly scale: tf.Tensor, support: Constraint, private readonly siteEventDim: number) {
    super();
    this.support = support;
    this.transform = bijectTo(support);
    const shape = this.transform.forwardShape(loc.shape);
    // the unconstrained event may have another rank than the site's (a d×d correlation Cholesky factor has d(d−1)/2 coordinates)
    const batchRank = shape.length - siteEventDim;
    this.baseEventDim = loc.rank - batchRank;
    this.base = dist.Normal(loc, scale).toEvent(this.baseEventDim);
    this.batchShape = shape.slice(0, batchRank);
    this.eventShape = shape.slice(shape.length - siteEventDim);
  }

  /** The base Normal's draw, pushed through the transform. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed(this.name)): tf.Tensor {
    const shape = [...sampleShape, ...broadcastShapes([this.loc.shape, this.scale.shape])];
    const noise = normalNoise(shape, seed);
    const x = rsampleNormalFromNoise(this.loc, this.scale, noise);
    const y = this.transform.forward(x);
    this.cache.set(y, { x, noise });
    return y;
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const own = this.cache.get(value);
      const x = own?.x ?? this.transform.inverse(value);
      const logQ = own === undefined ? this.base.logProb(x) : normalLogProbOfNoise(own.noise, this.scale, this.baseEventDim);
      // onto the reals (most sites) the log-Jacobian is 0: no zeros to subtract, forward or backward
      if (this.transform instanceof transforms.IdentityTransform) return logQ;
      const logDet = sumRightmost(this.transform.logAbsDetJacobian(x, value), this.siteEventDim - this.transform.eventDim);
      return logQ.sub(logDet);
    });
  }

  /** No closed form: throws (use the guide's `median()` or `sample(n)`). */
  override get mean(): tf.Tensor {
    throw new PPLModelError("UnconstrainedNormal has no closed-form mean; use the guide's median()");
  }
}
