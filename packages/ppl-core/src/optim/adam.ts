/**
 * Adam (Kingma & Ba), bias-corrected, one moment pair per param. ClippedAdam
 * adds Pyro's elementwise gradient clipping and per-step lr decay.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { parseOptions } from "../options.js";
import type { Optimizer } from "./optimizer.js";

const adamOptions = z.object({
  lr: z.number().positive().finite().default(1e-3),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
  eps: z.number().positive().default(1e-8),
}).strict();

const clippedAdamOptions = adamOptions.extend({
  clipNorm: z.number().positive().default(10),
  lrd: z.number().positive().max(1).default(1),
}).strict();

export type AdamOptions = z.input<typeof adamOptions>;
export type ClippedAdamOptions = z.input<typeof clippedAdamOptions>;

interface Moments {
  readonly m: Float32Array;
  readonly v: Float32Array;
  t: number;
}

const f32 = Math.fround;

/**
 * The update runs in JS on each param's values: per element it is a dozen
 * arithmetic ops, and as tfjs ops each of them was a kernel per param per
 * step. Every operation is rounded to float32 exactly as a float32 tensor op
 * rounds it (the float64 result of one +, -, *, / or sqrt of float32 inputs
 * rounds to the correctly rounded float32), so the values are bit-for-bit
 * those of the tensor formula m = b1 m + (1-b1) g, v = b2 v + (1-b2) g²,
 * x -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
export class Adam implements Optimizer {
  protected readonly lr0: number;
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly eps: number;
  private readonly moments = new Map<tf.Variable, Moments>();

  constructor(options: AdamOptions = {}) {
    const o = parseOptions("Adam", adamOptions, options);
    this.lr0 = o.lr;
    [this.beta1, this.beta2] = o.betas;
    this.eps = o.eps;
  }

  /** Hook for ClippedAdam: the gradient actually used (may modify `g`, which is a copy). */
  protected transformGrad(g: Float32Array): Float32Array {
    return g;
  }

  /** Hook for ClippedAdam: the lr at step t (1-based). */
  protected lrAt(t: number): number {
    void t;
    return this.lr0;
  }

  apply(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>): void {
    for (const [name, g] of grads) {
      const variable = variables.get(name);
      if (variable === undefined) continue;
      let st = this.moments.get(variable);
      if (st === undefined) {
        st = { m: new Float32Array(variable.size), v: new Float32Array(variable.size), t: 0 };
        this.moments.set(variable, st);
      }
      st.t += 1;
      const t = st.t;
      const grad = this.transformGrad(Float32Array.from(g.dataSync()));
      const x = Float32Array.from(variable.dataSync());
      const { m, v } = st;
      const b1 = f32(this.beta1);
      const b2 = f32(this.beta2);
      const c1 = f32(1 - this.beta1);
      const c2 = f32(1 - this.beta2);
      const bc1 = f32(1 - this.beta1 ** t);
      const bc2 = f32(1 - this.beta2 ** t);
      const lr = f32(this.lrAt(t));
      const eps = f32(this.eps);
      for (let i = 0; i < x.length; i++) {
        const gi = grad[i]!;
        m[i] = f32(m[i]! * b1) + f32(gi * c1);
        v[i] = f32(v[i]! * b2) + f32(f32(gi * gi) * c2);
        const mHat = f32(m[i]! / bc1);
        const vHat = f32(v[i]! / bc2);
        x[i] = x[i]! - f32(f32(mHat * lr) / f32(f32(Math.sqrt(vHat)) + eps));
      }
      tf.tidy(() => variable.assign(tf.tensor(x, variable.shape, "float32")));
    }
  }

  reset(): void {
    this.moments.clear();
  }
}

/** Adam with each gradient element clipped to [-clipNorm, clipNorm] and lr multiplied by lrd every step. */
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
    return this.lr0 * this.lrd ** (t - 1);
  }
}
