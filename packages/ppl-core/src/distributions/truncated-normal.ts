import * as tf from "@tensorflow/tfjs-core";
import { Constraint, greaterThan, interval, positive, real } from "../constraints/constraint.js";
import { normalLogProb } from "../ops/normal-logprob.js";
import { broadcastShapes, broadcastTo, stopGradient, type TensorLike } from "../ops/tensor.js";
import { nextSeed, uniformNoise } from "../rng.js";
import { elementwiseOp } from "../ops/elementwise-op.js";
import { logNdtrDiffNumber, ndtrNumber, ndtriNumber } from "./numerics/normal-quantile.js";
import { Parameterized } from "./base/parameterized.js";
import { checkOrdered } from "./base/validate.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Bounds of the uniform draws: open, so an infinite bound is never returned. */
const U_MIN = 2 ** -24;
const U_MAX = 1 - 2 ** -24;

/** A truncation bound: any number but NaN (an infinite bound means no truncation on that side). */
class ExtendedReal extends Constraint {
  readonly name = "extendedReal";
  check(v: tf.Tensor): tf.Tensor {
    return v.equal(v);
  }
}
const extendedReal: Constraint = new ExtendedReal();

const logPhi = (x: number): number => (Number.isFinite(x) ? -0.5 * x * x - HALF_LOG_2PI : -Infinity);
/** x * phi-ratio, with an infinite bound's term 0 (its density is 0 faster than x grows). */
const times = (x: number, r: number): number => (r === 0 ? 0 : x * r);

/** Standardised bounds and the log normaliser log(Phi(beta) - Phi(alpha)) of one element. */
function standardise(loc: number, scale: number, low: number, high: number): { a: number; b: number; logZ: number } {
  const a = (low - loc) / scale;
  const b = (high - loc) / scale;
  return { a, b, logZ: logNdtrDiffNumber(a, b) };
}

/** d log Z / d(loc, scale, low, high). */
function logZ(xs: readonly number[], g: number[]): number {
  const [loc, scale, low, high] = xs as [number, number, number, number];
  const { a, b, logZ: lz } = standardise(loc, scale, low, high);
  const ra = Math.exp(logPhi(a) - lz);
  const rb = Math.exp(logPhi(b) - lz);
  g[0] = (ra - rb) / scale;
  g[1] = (times(a, ra) - times(b, rb)) / scale;
  g[2] = -ra / scale;
  g[3] = rb / scale;
  return lz;
}

/** The quantile at q and its partials in (q, loc, scale, low, high). */
function quantile(xs: readonly number[], g: number[]): number {
  const [q, loc, scale, low, high] = xs as [number, number, number, number, number];
  const { a, b, logZ: lz } = standardise(loc, scale, low, high);
  // Phi(t) = Phi(a) + q Z, solved from the upper tail when a > 0 so the sum keeps its digits
  let t = a > 0 ? -ndtriNumber(ndtrNumber(-a) - q * Math.exp(lz)) : ndtriNumber(ndtrNumber(a) + q * Math.exp(lz));
  t = Math.min(Math.max(t, a), b);
  const lt = logPhi(t);
  const dq = Math.exp(lz - lt);
  const da = (1 - q) * Math.exp(logPhi(a) - lt);
  const db = q * Math.exp(logPhi(b) - lt);
  g[0] = scale * dq;
  g[1] = 1 - da - db;
  g[2] = t - times(a, da) - times(b, db);
  g[3] = da;
  g[4] = db;
  return loc + scale * t;
}

/** P(X <= x) and its partials in (x, loc, scale, low, high). */
function cdfAt(xs: readonly number[], g: number[]): number {
  const [x, loc, scale, low, high] = xs as [number, number, number, number, number];
  if (x <= low) return 0;
  if (x >= high) return 1;
  const { a, b, logZ: lz } = standardise(loc, scale, low, high);
  const z = (x - loc) / scale;
  const c = a > 0 ? Math.exp(logNdtrDiffNumber(a, z) - lz) : (ndtrNumber(z) - ndtrNumber(a)) / Math.exp(lz);
  const gz = Math.exp(logPhi(z) - lz);
  const ga = (c - 1) * Math.exp(logPhi(a) - lz);
  const gb = -c * Math.exp(logPhi(b) - lz);
  g[0] = gz / scale;
  g[1] = -(gz + ga + gb) / scale;
  g[2] = -(z * gz + times(a, ga) + times(b, gb)) / scale;
  g[3] = ga / scale;
  g[4] = gb / scale;
  return c;
}

/**
 * TruncatedNormal(loc, scale, low, high): Normal(loc, scale) conditioned on low <= x <= high, density
 * phi((x - loc) / scale) / (scale Z) with Z = Phi(beta) - Phi(alpha), alpha = (low - loc) / scale,
 * beta = (high - loc) / scale. A bound may be infinite (no truncation on that side). Sampled by the
 * inverse cdf, computed in float64 from the nearer tail, so it is reparameterised in all four
 * arguments and accurate far into a tail (e.g. low = loc + 8 scale).
 * @example
 * ```ts
 * const height = sample("height", dist.TruncatedNormal(170, 10, 0, Infinity));
 * ```
 */
export class TruncatedNormal extends Parameterized("TruncatedNormal", {
  /** The untruncated Normal's mean. */
  loc: real,
  /** The untruncated Normal's standard deviation (> 0). */
  scale: positive,
  /** The lower bound (may be -Infinity). */
  low: extendedReal,
  /** The upper bound (> low, may be Infinity). */
  high: extendedReal,
}) {
  readonly support: Constraint;
  override readonly hasRsample = true;

  /**
   * @param loc the untruncated Normal's mean; @param scale its standard deviation (> 0);
   * @param low lower bound (may be -Infinity); @param high upper bound (> low, may be Infinity); all broadcasting.
   */
  constructor(loc: TensorLike, scale: TensorLike, low: TensorLike, high: TensorLike) {
    super({ loc, scale, low, high });
    checkOrdered(this, "low", this.low, "high", this.high);
    this.support = supportOf(low, high, this.low, this.high);
  }

  /** icdf(u) for u uniform on (0, 1). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("TruncatedNormal")): tf.Tensor {
    return tf.tidy(() => this.icdf(uniformNoise(this.shape(sampleShape), U_MIN, U_MAX, seed)));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lp = normalLogProb(value, this.loc, this.scale).sub(this.logNormalizer());
      const inside = tf.logicalAnd(value.greaterEqual(this.low), value.lessEqual(this.high));
      const shape = broadcastShapes([lp.shape, inside.shape]);
      return tf.where(broadcastTo(inside, shape), broadcastTo(lp, shape), tf.fill(shape, -Infinity));
    });
  }

  /** log Z = log(Phi(beta) - Phi(alpha)), shape batchShape, differentiable in all four arguments. */
  logNormalizer(): tf.Tensor {
    return broadcastTo(elementwiseOp(`${this.name} log-normaliser`, logZ, [this.loc, this.scale, this.low, this.high]), this.batchShape);
  }

  /** loc + scale (phi(alpha) - phi(beta)) / Z; differentiable in all four arguments. */
  override get mean(): tf.Tensor {
    return tf.tidy(() => {
      const { d } = this.tailTerms();
      return this.exactValue(broadcastTo(this.scale.mul(d).add(this.loc), this.batchShape), (m) => m.mean);
    });
  }
  /** scale^2 (1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2); differentiable. */
  override get variance(): tf.Tensor {
    return tf.tidy(() => {
      const { d, e } = this.tailTerms();
      return this.exactValue(broadcastTo(this.scale.square().mul(e.add(1).sub(d.square())), this.batchShape), (m) => m.variance);
    });
  }
  /** log(sqrt(2 pi e) scale Z) + (alpha phi(alpha) - beta phi(beta)) / (2 Z); differentiable. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const { e, logZ: lz } = this.tailTerms();
      const h = broadcastTo(this.scale.log().add(lz).add(e.mul(0.5)).add(0.5 * Math.log(2 * Math.PI * Math.E)), this.batchShape);
      return this.exactValue(h, (m) => m.entropy);
    });
  }
  /** (Phi(z) - Phi(alpha)) / Z, 0 below low and 1 above high; differentiable in value and the arguments. */
  override cdf(value: tf.Tensor): tf.Tensor {
    return elementwiseOp(`${this.name} cdf`, cdfAt, [value, this.loc, this.scale, this.low, this.high]);
  }
  /** loc + scale Phi^-1(Phi(alpha) + q Z), from the nearer tail; differentiable in q and the arguments. */
  override icdf(q: tf.Tensor): tf.Tensor {
    return elementwiseOp(`${this.name} icdf`, quantile, [q, this.loc, this.scale, this.low, this.high]);
  }

  /**
   * The float64 value of a moment (`pick`) carrying the gradient of its float32 tensor form `t`:
   * far in a tail 1 + e - d^2 cancels to a few float32 digits, so the value comes from JS.
   */
  private exactValue(t: tf.Tensor, pick: (m: { mean: number; variance: number; entropy: number }) => number): tf.Tensor {
    const shape = [...this.batchShape];
    const [loc, scale, low, high] = [this.loc, this.scale, this.low, this.high].map((x) => tf.tidy(() => broadcastTo(x, shape).dataSync()));
    const out = new Float32Array(loc!.length);
    for (let i = 0; i < out.length; i++) {
      const sd = scale![i]!;
      const { a, b, logZ: lz } = standardise(loc![i]!, sd, low![i]!, high![i]!);
      const ra = Math.exp(logPhi(a) - lz);
      const rb = Math.exp(logPhi(b) - lz);
      const d = ra - rb;
      const e = times(a, ra) - times(b, rb);
      out[i] = pick({
        mean: loc![i]! + sd * d,
        variance: sd * sd * (1 + e - d * d),
        entropy: 0.5 * Math.log(2 * Math.PI * Math.E) + Math.log(sd) + lz + e / 2,
      });
    }
    // t - stopGradient(t) is exactly 0 forward and t's gradient backward
    return tf.tensor(out, shape).add(t.sub(stopGradient(t)));
  }

  /**
   * d = (phi(alpha) - phi(beta)) / Z and e = (alpha phi(alpha) - beta phi(beta)) / Z as tensors,
   * with an infinite bound's terms 0. The bounds are replaced by 0 where infinite before they
   * enter any op, so no Infinity * 0 reaches a gradient.
   */
  private tailTerms(): { d: tf.Tensor; e: tf.Tensor; logZ: tf.Tensor } {
    const lz = this.logNormalizer();
    const term = (bound: tf.Tensor): { r: tf.Tensor; xr: tf.Tensor } => {
      const finite = tf.isFinite(bound);
      const x = tf.where(finite, bound, tf.zerosLike(bound)).sub(this.loc).div(this.scale);
      const r = x.square().mul(-0.5).sub(HALF_LOG_2PI).sub(lz).exp();
      const shape = broadcastShapes([finite.shape, r.shape]);
      const keep = broadcastTo(finite, shape);
      const zero = tf.zeros(shape);
      return { r: tf.where(keep, broadcastTo(r, shape), zero), xr: tf.where(keep, broadcastTo(x.mul(r), shape), zero) };
    };
    const a = term(this.low);
    const b = term(this.high);
    return { d: a.r.sub(b.r), e: a.xr.sub(b.xr), logZ: lz };
  }
}

/** The support as a constraint bijectTo understands when the bounds are plain numbers. */
function supportOf(low: TensorLike, high: TensorLike, lowT: tf.Tensor, highT: tf.Tensor): Constraint {
  if (typeof low === "number" && typeof high === "number") {
    if (low === -Infinity && high === Infinity) return real;
    if (high === Infinity) return greaterThan(low);
    return interval(low, high);
  }
  return interval(lowT, highT);
}
