import * as tf from "@tensorflow/tfjs-core";
import type { Constraint } from "../constraints/constraint.js";
import { PPLConfigError, PPLShapeError, formatShape } from "../errors.js";
import { broadcastShapes, broadcastTo, logSumExp } from "../ops/tensor.js";
import { hashSeed, nextSeed } from "../rng.js";
import { Categorical } from "./categorical.js";
import { Distribution } from "./base/distribution.js";

/**
 * MixtureSameFamily(mixture, component): a finite mixture whose K components
 * are the rightmost batch dim of one batched distribution (Pyro's and torch's
 * `MixtureSameFamily`). `mixture` is a Categorical over K with batch shape
 * broadcastable to the component's batch shape without its last dim; the
 * mixture's batch shape is that broadcast, its event shape the component's.
 * log p(x) = logsumexp_k (log w_k + log p_k(x)); the component index is summed
 * out, so the mixture is neither enumerable nor reparameterised.
 *
 * @example
 * ```ts
 * // a two-component Gaussian mixture per data point, inside a plate
 * const mix = dist.MixtureSameFamily(dist.Categorical(weights), dist.Normal(locs, scales)); // locs, scales: [2]
 * yield* plate("data", n, function* () {
 *   yield* sample("x", mix.expand([n]), { obs: xs });
 * });
 * ```
 */
export class MixtureSameFamily extends Distribution {
  readonly name = "MixtureSameFamily";
  /** The mixing weights over the K components. */
  readonly mixture: Categorical;
  /** The components, batch shape [...batchShape, K]. */
  readonly component: Distribution;
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[];
  /** The shape of one draw. */
  readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint;

  /**
   * @param mixture a Categorical with K categories, batch shape broadcastable to the components' batch without its last dim.
   * @param component any distribution whose rightmost batch dim has size K (the components).
   */
  constructor(mixture: Categorical, component: Distribution) {
    super();
    if (!(mixture instanceof Categorical)) {
      throw new PPLConfigError(`${this.name}: the mixture distribution must be a Categorical, got ${(mixture as Distribution | undefined)?.name ?? String(mixture)}`, {
        expected: "a Categorical",
        actual: String((mixture as Distribution | undefined)?.name ?? mixture),
      });
    }
    const cb = component.batchShape;
    const K = mixture.numCategories;
    if (cb.length < 1 || cb[cb.length - 1] !== K) {
      throw new PPLShapeError(
        `${this.name}: the component ${component.name}'s batch shape ${formatShape(cb)} must end in the ${K} mixture components`,
        { expected: `[..., ${K}]`, actual: formatShape(cb) },
      );
    }
    this.mixture = mixture;
    this.component = component;
    this.batchShape = broadcastShapes([mixture.batchShape, cb.slice(0, -1)], `${this.name} mixture and component batch shapes`);
    this.eventShape = component.eventShape;
    this.support = component.support;
  }

  /** A component index per draw from the mixture, then that component's draw (one-hot select over K). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("MixtureSameFamily")): tf.Tensor {
    return tf.tidy(() => {
      const K = this.mixture.numCategories;
      const ne = this.eventShape.length;
      const idx = this.mixture.expand(this.batchShape).sample(sampleShape, seed);
      const comps = this.component.expand([...this.batchShape, K]).sample(sampleShape, hashSeed(seed, "components"));
      // comps: [...sample, ...batch, K, ...event]; the one-hot weights broadcast over the event dims
      const hot = tf.oneHot(idx.flatten(), K).reshape([...idx.shape, K, ...new Array<number>(ne).fill(1)]).cast(comps.dtype);
      return comps.mul(hot).sum(-1 - ne);
    });
  }

  /** The value broadcast against the K components at dim -1 - eventDim, each scored and mixed in log space. */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const ne = this.eventShape.length;
      const lp = this.component.logProb(value.expandDims(value.rank - ne));
      const logW = this.mixture.logits;
      const shape = broadcastShapes([lp.shape, logW.shape], `${this.name} value and batch shapes`);
      return logSumExp(broadcastTo(lp, shape).add(broadcastTo(logW, shape)), -1);
    });
  }

  /** Σ_k w_k F_k(x), for components that have a cdf (scalar events). */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = this.component.cdf(value.expandDims(-1));
      return c.mul(this.mixture.probs).sum(-1);
    });
  }

  /** Σ_k w_k μ_k. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => broadcastTo(this.weighted(this.component.mean), this.shape()));
  }
  /** Σ_k w_k (σ_k² + μ_k²) - μ², elementwise over the event. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const m = this.component.mean;
      const second = this.weighted(this.component.variance.add(m.square()));
      return broadcastTo(second.sub(this.weighted(m).square()), this.shape());
    });
  }

  /** Σ_k w_k t_k for a [..., K, ...event] tensor t. */
  private weighted(t: tf.Tensor): tf.Tensor {
    const ne = this.eventShape.length;
    const w = this.mixture.probs.reshape([...this.mixture.probs.shape, ...new Array<number>(ne).fill(1)]);
    return t.mul(w).sum(-1 - ne);
  }
}
