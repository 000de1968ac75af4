/** RMSprop (Hinton's lecture 6e; torch.optim.RMSprop's rule, centred and momentum variants included). */
import * as z from "zod/mini";
import { parseOptions } from "../options.js";
import { ElementwiseOptimizer, type StepState } from "./elementwise.js";

const rmspropOptions = z.strictObject({
  lr: z._default(z.number().check(z.positive()), 1e-2),
  alpha: z._default(z.number().check(z.gte(0), z.lt(1)), 0.99),
  eps: z._default(z.number().check(z.positive()), 1e-8),
  weightDecay: z._default(z.number().check(z.gte(0)), 0),
  momentum: z._default(z.number().check(z.gte(0), z.lt(1)), 0),
  centered: z._default(z.boolean(), false),
});

/** Options of {@link RMSprop}: `lr` (1e-2), `alpha` (0.99), `eps` (1e-8), `weightDecay` (0), `momentum` (0), `centered` (false). */
export type RMSpropOptions = z.input<typeof rmspropOptions>;

interface Averages extends StepState {
  readonly sq: Float64Array;
  readonly mean: Float64Array;
  readonly buf: Float64Array;
}

/**
 * v ← α v + (1 − α) g²; the step is g / (√v + eps), or with `centered`
 * g / (√(v − ḡ²) + eps) where ḡ ← α ḡ + (1 − α) g; with momentum the step
 * accumulates as b ← momentum·b + step; x ← x − lr·(b or step).
 */
export class RMSprop extends ElementwiseOptimizer<Averages> {
  private readonly alpha: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly momentum: number;
  private readonly centered: boolean;

  constructor(options: RMSpropOptions = {}) {
    const o = parseOptions("RMSprop", rmspropOptions, options);
    super(o.lr);
    this.alpha = o.alpha;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
    this.momentum = o.momentum;
    this.centered = o.centered;
  }

  protected initState(size: number): Averages {
    return { t: 0, sq: new Float64Array(size), mean: new Float64Array(size), buf: new Float64Array(size) };
  }

  protected update(x: Float32Array, g: Float32Array, st: Averages): void {
    const { alpha, eps, weightDecay, momentum, centered, lr } = this;
    for (let i = 0; i < x.length; i++) {
      const d = g[i]! + weightDecay * x[i]!;
      st.sq[i] = alpha * st.sq[i]! + (1 - alpha) * d * d;
      let v = st.sq[i]!;
      if (centered) {
        st.mean[i] = alpha * st.mean[i]! + (1 - alpha) * d;
        v -= st.mean[i]! * st.mean[i]!;
      }
      const step = d / (Math.sqrt(v) + eps);
      if (momentum > 0) {
        st.buf[i] = momentum * st.buf[i]! + step;
        x[i] = x[i]! - lr * st.buf[i]!;
      } else {
        x[i] = x[i]! - lr * step;
      }
    }
  }
}
