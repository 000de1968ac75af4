/** Adagrad (Duchi, Hazan & Singer; torch.optim.Adagrad's rule). */
import * as z from "zod/mini";
import { parseOptions } from "../options.js";
import { ElementwiseOptimizer, type StepState } from "./elementwise.js";

const adagradOptions = z.strictObject({
  lr: z._default(z.number().check(z.positive()), 1e-2),
  lrDecay: z._default(z.number().check(z.gte(0)), 0),
  weightDecay: z._default(z.number().check(z.gte(0)), 0),
  initialAccumulatorValue: z._default(z.number().check(z.gte(0)), 0),
  eps: z._default(z.number().check(z.positive()), 1e-10),
});

/** Options of {@link Adagrad}: `lr` (1e-2), `lrDecay` (0), `weightDecay` (0), `initialAccumulatorValue` (0), `eps` (1e-10). */
export type AdagradOptions = z.input<typeof adagradOptions>;

interface Accumulator extends StepState {
  readonly sum: Float64Array;
}

/** s ← s + g²; x ← x − lr / (1 + (t − 1)·lrDecay) · g / (√s + eps). */
export class Adagrad extends ElementwiseOptimizer<Accumulator> {
  private readonly lrDecay: number;
  private readonly weightDecay: number;
  private readonly initial: number;
  private readonly eps: number;

  constructor(options: AdagradOptions = {}) {
    const o = parseOptions("Adagrad", adagradOptions, options);
    super(o.lr);
    this.lrDecay = o.lrDecay;
    this.weightDecay = o.weightDecay;
    this.initial = o.initialAccumulatorValue;
    this.eps = o.eps;
  }

  protected initState(size: number): Accumulator {
    return { t: 0, sum: new Float64Array(size).fill(this.initial) };
  }

  protected update(x: Float32Array, g: Float32Array, st: Accumulator): void {
    const clr = this.lr / (1 + (st.t - 1) * this.lrDecay);
    for (let i = 0; i < x.length; i++) {
      const d = g[i]! + this.weightDecay * x[i]!;
      st.sum[i] = st.sum[i]! + d * d;
      x[i] = x[i]! - (clr * d) / (Math.sqrt(st.sum[i]!) + this.eps);
    }
  }
}
