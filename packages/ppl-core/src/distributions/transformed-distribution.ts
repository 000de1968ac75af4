import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, independent } from "../constraints/constraint.js";
import {
  AffineTransform, ComposeTransform, ExpTransform, IdentityTransform, IntervalAffineTransform, InverseTransform, SigmoidTransform, type Transform,
} from "../constraints/transforms.js";
import { PPLModelError, PPLShapeError, formatShape } from "../errors.js";
import { sumRightmost } from "../ops/tensor.js";
import { Distribution } from "./base/distribution.js";

/** Options of `TransformedDistribution`. */
export interface TransformedDistributionOptions {
  /** The support, when the last transform's codomain does not say it (e.g. affine maps of an interval). */
  support?: Constraint;
}

/**
 * The law of y = t(x) for x ~ base, with t the transforms applied left to
 * right: log p(y) = log p_base(t^-1(y)) - log|det J_t(t^-1(y))|. When the
 * transforms couple more dims than the base's event, the base's rightmost
 * batch dims become event dims (as Pyro does).
 */
export class TransformedDistribution extends Distribution {
  readonly name: string;
  /** The base distribution (with extra batch dims moved to its event when the transforms couple them). */
  readonly base: Distribution;
  /** The transforms composed into one. */
  readonly transform: Transform;
  /** The transforms as given, applied left to right. */
  readonly transforms: readonly Transform[];
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint;
  override readonly hasRsample: boolean;

  /**
   * @param base the distribution of x
   * @param transforms one transform or a list applied left to right
   * @param options `support` when the last transform's codomain does not say it
   */
  constructor(base: Distribution, transforms: Transform | readonly Transform[], options: TransformedDistributionOptions = {}) {
    super();
    this.transforms = Array.isArray(transforms) ? [...(transforms as readonly Transform[])] : [transforms as Transform];
    this.transform = this.transforms.length === 1 ? this.transforms[0]! : new ComposeTransform(this.transforms);
    this.name = `TransformedDistribution(${base.name})`;
    const extra = this.transform.eventDim - base.eventDim;
    if (extra > base.batchShape.length) {
      throw new PPLShapeError(
        `${this.name}: transform '${this.transform.name}' acts on ${this.transform.eventDim} event dims, but the base ` +
          `has batch shape ${formatShape(base.batchShape)} and event shape ${formatShape(base.eventShape)}`,
        { expected: `at least ${this.transform.eventDim} dims`, actual: formatShape([...base.batchShape, ...base.eventShape]) },
      );
    }
    this.base = extra > 0 ? base.toEvent(extra) : base;
    this.batchShape = this.base.batchShape;
    const full = this.transform.forwardShape([...this.base.batchShape, ...this.base.eventShape]);
    this.eventShape = full.slice(this.batchShape.length);
    const codomain = options.support ?? this.transform.codomain;
    this.support = independent(codomain, Math.max(0, this.eventShape.length - codomain.eventDim));
    this.hasRsample = base.hasRsample;
  }

  sample(sampleShape: readonly number[] = [], seed?: number): tf.Tensor {
    return tf.tidy(() => this.transform.forward(this.base.sample(sampleShape, seed)));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = this.transform.inverse(value);
      const ladj = this.transform.logAbsDetJacobian(x, value);
      // elementwise Jacobian terms over the base's event dims sum into one per event
      const ladjEvent = sumRightmost(ladj, this.base.eventDim - this.transform.eventDim);
      return this.base.logProb(x).sub(ladjEvent);
    });
  }

  /**
   * base.cdf(t^-1(value)), or 1 minus it where t decreases (an affine map with a negative
   * scale): for a scalar base and elementwise monotone transforms (exp, sigmoid, affine,
   * identity, their inverses and compositions), as Pyro's `TransformedDistribution.cdf`.
   */
  override cdf(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const sign = this.monotoneSign("cdf");
      const c = this.base.cdf(this.transform.inverse(value));
      return sign === 1 ? c : tf.where(sign.greater(0), c, tf.scalar(1).sub(c));
    });
  }

  /** t(base.icdf(q)), with q replaced by 1 - q where t decreases; same transforms as `cdf`. */
  override icdf(q: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const sign = this.monotoneSign("icdf");
      const level = sign === 1 ? q : tf.where(sign.greater(0), q, tf.scalar(1).sub(q));
      return this.transform.forward(this.base.icdf(level));
    });
  }

  private monotoneSign(what: string): 1 | tf.Tensor {
    const sign = this.base.eventDim === 0 ? signOf(this.transform) : undefined;
    if (sign === undefined) {
      throw new PPLModelError(
        `${this.name}.${what}: needs a scalar base and elementwise monotone transforms (exp, sigmoid, affine, ` +
          `identity, their inverses and compositions), got '${this.transform.name}' on event shape ${formatShape(this.base.eventShape)}`,
      );
    }
    return sign;
  }

  override expand(batchShape: readonly number[]): Distribution {
    if (batchShape.length === this.batchShape.length && batchShape.every((d, i) => d === this.batchShape[i])) return this;
    return new TransformedDistribution(this.base.expand(batchShape), this.transforms, { support: this.support });
  }
}

/**
 * +1 where an elementwise transform increases, -1 where it decreases (as a tensor when
 * that depends on an affine scale), undefined when it is not elementwise monotone.
 */
function signOf(t: Transform): 1 | tf.Tensor | undefined {
  if (t instanceof IdentityTransform || t instanceof ExpTransform || t instanceof SigmoidTransform) return 1;
  if (t instanceof AffineTransform) return tf.sign(t.scale);
  if (t instanceof IntervalAffineTransform) return 1; // high > low
  if (t instanceof InverseTransform) return signOf(t.base);
  if (t instanceof ComposeTransform) {
    let sign: 1 | tf.Tensor = 1;
    for (const part of t.parts) {
      const s = signOf(part);
      if (s === undefined) return undefined;
      sign = sign === 1 ? s : s === 1 ? sign : sign.mul(s);
    }
    return sign;
  }
  return undefined;
}
