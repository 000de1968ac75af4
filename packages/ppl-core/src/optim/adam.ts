/**
 * Adam (Kingma & Ba), bias-corrected, one moment pair per param. ClippedAdam
 * adds Pyro's elementwise gradient clipping and per-step lr decay.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { PPLConfigError } from "../errors.js";
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

export function parseOptions<S extends z.ZodType>(who: string, schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape as object).join(", ") : "";
    throw new PPLConfigError(
      `${who}: invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` +
        (keys ? `; valid options are ${keys}` : ""),
      { expected: keys, actual: describeIssues(parsed.error.issues, options) },
    );
  }
  return parsed.data;
}

/** The unknown keys, or each bad option with the value given. */
function describeIssues(issues: readonly z.core.$ZodIssue[], options: unknown): string {
  const unknown = issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys : []));
  if (unknown.length > 0) return unknown.join(", ");
  return issues.map((i) => {
    let v: unknown = options;
    for (const k of i.path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
    const shown = typeof v === "function" ? "a function" : Array.isArray(v) || typeof v !== "object" ? JSON.stringify(v) : String(v);
    return `${i.path.join(".") || "(root)"}=${shown}`;
  }).join(", ");
}

interface Moments {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  t: number;
}

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

  /** Hook for ClippedAdam: the gradient actually used. */
  protected transformGrad(g: tf.Tensor): tf.Tensor {
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
        // tf.variable copies its initial value, so make that value inside a tidy
        st = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false), t: 0 }));
        this.moments.set(variable, st);
      }
      const state = st;
      state.t += 1;
      const t = state.t;
      const lr = this.lrAt(t);
      tf.tidy(() => {
        const grad = this.transformGrad(g);
        const m = state.m.mul(this.beta1).add(grad.mul(1 - this.beta1));
        const v = state.v.mul(this.beta2).add(grad.square().mul(1 - this.beta2));
        state.m.assign(m);
        state.v.assign(v);
        const mHat = m.div(1 - this.beta1 ** t);
        const vHat = v.div(1 - this.beta2 ** t);
        variable.assign(variable.sub(mHat.mul(lr).div(vHat.sqrt().add(this.eps))));
      });
    }
  }

  reset(): void {
    for (const st of this.moments.values()) {
      st.m.dispose();
      st.v.dispose();
    }
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
  protected override transformGrad(g: tf.Tensor): tf.Tensor {
    return g.clipByValue(-this.clipNorm, this.clipNorm);
  }
  protected override lrAt(t: number): number {
    return this.lr0 * this.lrd ** (t - 1);
  }
}
