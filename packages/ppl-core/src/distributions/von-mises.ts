import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, interval, positive, real } from "../constraints/constraint.js";
import { broadcastTo, type TensorLike } from "../ops/tensor.js";
import { makeRng, nextSeed } from "../rng.js";
import { elementwiseOp } from "../ops/elementwise-op.js";
import { Parameterized } from "./base/parameterized.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * e^-k I0(k) and e^-k I1(k) for k >= 0, float64: the positive-term power series up to 30
 * (no cancellation), the asymptotic expansion beyond (its terms fall fast there).
 */
export function besselI01Scaled(k: number): [number, number] {
  if (k <= 30) {
    const h = k / 2;
    const h2 = h * h;
    let t0 = 1;
    let t1 = h;
    let s0 = 1;
    let s1 = h;
    for (let m = 1; m < 500; m++) {
      t0 *= h2 / (m * m);
      t1 *= h2 / (m * (m + 1));
      s0 += t0;
      s1 += t1;
      if (t0 < 1e-17 * s0 && t1 < 1e-17 * s1) break;
    }
    const e = Math.exp(-k);
    return [s0 * e, s1 * e];
  }
  // I_nu(k) ~ e^k / sqrt(2 pi k) sum_j (-1)^j a_j(nu) / k^j, a_j = prod_{i<=j} (4 nu^2 - (2i - 1)^2) / (8 i)
  const series = (mu: number): number => {
    let term = 1;
    let sum = 1;
    for (let j = 1; j < 30; j++) {
      term *= -(mu - (2 * j - 1) ** 2) / (8 * j * k);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return sum;
  };
  const c = 1 / Math.sqrt(2 * Math.PI * k);
  return [c * series(0), c * series(4)];
}

/** log I0(k) elementwise with gradient I1(k) / I0(k): the von Mises normaliser. */
function logI0(xs: readonly number[], g: number[]): number {
  const k = xs[0]!;
  const [i0, i1] = besselI01Scaled(k);
  g[0] = i1 / i0;
  return k + Math.log(i0);
}

/** One draw by Best and Fisher's (1979) rejection sampler, centred at 0. */
function vonMisesOne(k: number, rng: () => number): number {
  if (k < 1e-6) return Math.PI * (2 * rng() - 1);
  const tau = 1 + Math.sqrt(1 + 4 * k * k);
  const rho = (tau - Math.sqrt(2 * tau)) / (2 * k);
  const r = (1 + rho * rho) / (2 * rho);
  for (;;) {
    const z = Math.cos(Math.PI * rng());
    const f = (1 + r * z) / (r + z);
    const c = k * (r - f);
    const u2 = rng();
    if (c * (2 - c) > u2 || Math.log(c / u2) + 1 - c >= 0) {
      const theta = Math.acos(Math.min(1, Math.max(-1, f)));
      return rng() < 0.5 ? -theta : theta;
    }
  }
}

/**
 * VonMises(loc, concentration): the circular normal on [-pi, pi), density
 * exp(k cos(x - loc)) / (2 pi I0(k)) with k = concentration. Not reparameterised (Pyro's is
 * not either): draws use Best and Fisher's rejection sampler, seeded from ppl's RNG.
 * `mean` is loc (the circular mean) and `variance` the circular variance 1 - I1(k) / I0(k), as in Pyro.
 * @example
 * ```ts
 * const heading = sample("heading", dist.VonMises(0, 4));
 * ```
 */
export class VonMises extends Parameterized("VonMises", {
  /** The mode, in radians. */
  loc: real,
  /** The concentration k (> 0). */
  concentration: positive,
}) {
  readonly support: Constraint = interval(-Math.PI, Math.PI);

  /** @param loc the mode, in radians; @param concentration k (> 0; large k is Normal(loc, 1/sqrt(k))), broadcasting. */
  constructor(loc: TensorLike, concentration: TensorLike) {
    super({ loc, concentration });
  }

  /** Draws wrapped to [-pi, pi). */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("VonMises")): tf.Tensor {
    return tf.tidy(() => {
      const shape = this.shape(sampleShape);
      const k = broadcastTo(this.concentration, shape).dataSync();
      const loc = broadcastTo(this.loc, shape).dataSync();
      const rng = makeRng(seed);
      const out = new Float32Array(k.length);
      for (let i = 0; i < k.length; i++) {
        const x = vonMisesOne(k[i]!, rng) + loc[i]!;
        out[i] = x - 2 * Math.PI * Math.floor((x + Math.PI) / (2 * Math.PI));
      }
      return tf.tensor(out, shape);
    });
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      value.sub(this.loc).cos().mul(this.concentration).sub(this.logNormalizer()).sub(LOG_2PI),
    );
  }

  /** log I0(concentration), differentiable (gradient I1 / I0). */
  private logNormalizer(): tf.Tensor {
    return elementwiseOp(`${this.name} normaliser`, logI0, [this.concentration]);
  }

  /** loc, the circular mean. */
  override get mean(): tf.Tensor {
    return broadcastTo(this.loc, this.batchShape);
  }
  /** The circular variance 1 - I1(k) / I0(k); differentiable in the concentration. */
  override get variance(): tf.Tensor {
    return broadcastTo(elementwiseOp(`${this.name} variance`, circularVariance, [this.concentration]), this.batchShape);
  }
  /** log(2 pi I0(k)) - k I1(k) / I0(k); differentiable in the concentration. */
  override entropy(): tf.Tensor {
    return broadcastTo(elementwiseOp(`${this.name} entropy`, entropyAt, [this.concentration]), this.batchShape);
  }
}

/** A(k) = I1(k) / I0(k) and its derivative A'(k) = 1 - A/k - A^2. */
function besselRatio(k: number): [number, number] {
  const [i0, i1] = besselI01Scaled(k);
  const a = i1 / i0;
  return [a, 1 - a / k - a * a];
}

function circularVariance(xs: readonly number[], g: number[]): number {
  const [a, da] = besselRatio(xs[0]!);
  g[0] = -da;
  return 1 - a;
}

/** H(k) = log 2 pi + log I0(k) - k A(k), so H'(k) = A - A - k A'(k). */
function entropyAt(xs: readonly number[], g: number[]): number {
  const k = xs[0]!;
  const [i0] = besselI01Scaled(k);
  const [a, da] = besselRatio(k);
  g[0] = -k * da;
  return LOG_2PI + k + Math.log(i0) - k * a;
}
