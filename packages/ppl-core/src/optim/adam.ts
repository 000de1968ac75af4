/**
 * Adam (Kingma & Ba), bias-corrected, one moment pair per param. ClippedAdam
 * adds Pyro's elementwise gradient clipping and per-step lr decay; AdamW
 * (Loshchilov & Hutter) decays the weights apart from the gradient.
 */
import * as z from "zod/mini";
import { parseOptions } from "../options.js";
import { ElementwiseOptimizer, type StepState } from "./elementwise.js";

const adamShape = {
  lr: z._default(z.number().check(z.positive()), 1e-3),
  betas: z._default(z.tuple([z.number().check(z.gte(0), z.lt(1)), z.number().check(z.gte(0), z.lt(1))]), [0.9, 0.999]),
  eps: z._default(z.number().check(z.positive()), 1e-8),
};
const adamOptions = z.strictObject(adamShape);

const clippedAdamOptions = z.strictObject({
  ...adamShape,
  clipNorm: z._default(z.number().check(z.positive()), 10),
  lrd: z._default(z.number().check(z.positive(), z.lte(1)), 1),
});

const adamWOptions = z.strictObject({
  ...adamShape,
  weightDecay: z._default(z.number().check(z.gte(0)), 1e-2),
});

/** Options of {@link Adam}: `lr` (default 1e-3), `betas` (default [0.9, 0.999]), `eps` (default 1e-8). */
export type AdamOptions = z.input<typeof adamOptions>;
/** Options of {@link ClippedAdam}: Adam's plus `clipNorm` (default 10) and the per-step lr decay `lrd` (default 1). */
export type ClippedAdamOptions = z.input<typeof clippedAdamOptions>;
/** Options of {@link AdamW}: Adam's plus the decoupled `weightDecay` (default 1e-2, as torch.optim.AdamW). */
export type AdamWOptions = z.input<typeof adamWOptions>;

interface Moments extends StepState {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

const f32 = Math.fround;

/**
 * Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g², x -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 *
 * Every operation is rounded to float32 exactly as a float32 tensor op
 * rounds it (the float64 result of one +, -, *, / or sqrt of float32 inputs
 * rounds to the correctly rounded float32), so the values are bit-for-bit
 * those of the tensor formula.
 *
 * @example
 * const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO());
 */
export class Adam extends ElementwiseOptimizer<Moments> {
  /** Decay of the first-moment average. */
  protected readonly beta1: number;
  /** Decay of the second-moment average. */
  protected readonly beta2: number;
  /** Added to the root of the second moment, against division by zero. */
  protected readonly eps: number;

  constructor(options: AdamOptions = {}) {
    const o = parseOptions("Adam", adamOptions, options);
    super(o.lr);
    [this.beta1, this.beta2] = o.betas;
    this.eps = o.eps;
  }

  protected initState(size: number): Moments {
    return { t: 0, m: new Float32Array(size), v: new Float32Array(size) };
  }

  /** Hook for ClippedAdam: the gradient actually used (may modify `g`, which is a copy). */
  protected transformGrad(g: Float32Array): Float32Array {
    return g;
  }

  /** Hook for ClippedAdam: the lr at step t (1-based). */
  protected lrAt(t: number): number {
    void t;
    return this.lr;
  }

  /** Hook for AdamW: decay `x` before the moment update. */
  protected decay(x: Float32Array, lr: number): void {
    void x;
    void lr;
  }

  protected update(x: Float32Array, g: Float32Array, st: Moments): void {
    const { m, v, t } = st;
    const grad = this.transformGrad(g);
    const b1 = f32(this.beta1);
    const b2 = f32(this.beta2);
    const c1 = f32(1 - this.beta1);
    const c2 = f32(1 - this.beta2);
    const bc1 = f32(1 - this.beta1 ** t);
    const bc2 = f32(1 - this.beta2 ** t);
    const lr = f32(this.lrAt(t));
    const eps = f32(this.eps);
    this.decay(x, lr);
    for (let i = 0; i < x.length; i++) {
      const gi = grad[i]!;
      m[i] = f32(m[i]! * b1) + f32(gi * c1);
      v[i] = f32(v[i]! * b2) + f32(f32(gi * gi) * c2);
      const mHat = f32(m[i]! / bc1);
      const vHat = f32(v[i]! / bc2);
      x[i] = x[i]! - f32(f32(mHat * lr) / f32(f32(Math.sqrt(vHat)) + eps));
    }
  }
}

/** Adam with each gradient element clipped to [-clipNorm, clipNorm] and lr multiplied by lrd every step (Pyro's ClippedAdam). */
export class ClippedAdam extends Adam {
  private readonly clipNorm: number;
  private readonly lrd: number;
  constructor(options: ClippedAdamOptions = {}) {
    const o = parseOptions("ClippedAdam", clippedAdamOptions, options);
    super({ lr: o.lr, betas: o.betas, eps: o.eps });
    this.clipNorm = o.clipNorm;
    this.lrd = o.lrd;
  }
  protected override transformGrad(g: Float32Array): Float32Array {
    // the bounds as a float32 clipByValue sees them
    const hi = f32(this.clipNorm);
    for (let i = 0; i < g.length; i++) g[i] = Math.min(hi, Math.max(-hi, g[i]!));
    return g;
  }
  protected override lrAt(t: number): number {
    return this.lr * this.lrd ** (t - 1);
  }
}

/**
 * AdamW (torch.optim.AdamW): x ← x (1 − lr·weightDecay), then the Adam
 * update. Unlike an L2 penalty in the loss, the decay does not pass through
 * the moment estimates.
 */
export class AdamW extends Adam {
  private readonly weightDecay: number;
  constructor(options: AdamWOptions = {}) {
    const o = parseOptions("AdamW", adamWOptions, options);
    super({ lr: o.lr, betas: o.betas, eps: o.eps });
    this.weightDecay = o.weightDecay;
  }
  protected override decay(x: Float32Array, lr: number): void {
    if (this.weightDecay === 0) return;
    const keep = 1 - lr * this.weightDecay;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * keep;
  }
}
