/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD's rule). */
import * as z from "zod/mini";
import { parseOptions } from "../options.js";
import { ElementwiseOptimizer, type StepState } from "./elementwise.js";

const sgdOptions = z.strictObject({
  lr: z.number().check(z.positive()),
  momentum: z._default(z.number().check(z.gte(0), z.lt(1)), 0),
  dampening: z._default(z.number().check(z.gte(0), z.lte(1)), 0),
  weightDecay: z._default(z.number().check(z.gte(0)), 0),
  nesterov: z._default(z.boolean(), false),
}).check(z.refine((o) => !o.nesterov || (o.momentum > 0 && o.dampening === 0), {
  message: "nesterov needs momentum > 0 and dampening 0",
}));

/** Options of {@link SGD}: `lr` (required), `momentum` (0), `dampening` (0), `weightDecay` (0), `nesterov` (false). */
export type SGDOptions = z.input<typeof sgdOptions>;

interface Velocity extends StepState {
  readonly buf: Float64Array;
}

/**
 * g ← g + weightDecay·x; with momentum, b ← g on the first step and
 * b ← momentum·b + (1 − dampening)·g after, and the step direction is b
 * (or g + momentum·b with Nesterov); x ← x − lr·direction.
 *
 * @example
 * const optim = new SGD({ lr: 0.01, momentum: 0.9, nesterov: true });
 */
export class SGD extends ElementwiseOptimizer<Velocity> {
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly weightDecay: number;
  private readonly nesterov: boolean;

  constructor(options: SGDOptions) {
    const o = parseOptions("SGD", sgdOptions, options, { valid: "lr (required), momentum, dampening, weightDecay, nesterov" });
    super(o.lr);
    this.momentum = o.momentum;
    this.dampening = o.dampening;
    this.weightDecay = o.weightDecay;
    this.nesterov = o.nesterov;
  }

  protected initState(size: number): Velocity {
    return { t: 0, buf: new Float64Array(size) };
  }

  protected update(x: Float32Array, g: Float32Array, st: Velocity): void {
    const { momentum, dampening, weightDecay, nesterov, lr } = this;
    for (let i = 0; i < x.length; i++) {
      let d = g[i]! + weightDecay * x[i]!;
      if (momentum > 0) {
        const b = st.t === 1 ? d : momentum * st.buf[i]! + (1 - dampening) * d;
        st.buf[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      x[i] = x[i]! - lr * d;
    }
  }
}
