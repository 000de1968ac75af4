/**
 * Bijective transforms between unconstrained reals and a constrained space,
 * with the log |det J| of the forward map. `eventDim` is how many rightmost
 * dims the Jacobian couples (1 for stick-breaking).
 */
import * as tf from "@tensorflow/tfjs";
import { cumsumLast, logSigmoid } from "../ops/tensor.js";

export abstract class Transform {
  abstract readonly name: string;
  readonly eventDim: number = 0;
  abstract forward(x: tf.Tensor): tf.Tensor;
  abstract inverse(y: tf.Tensor): tf.Tensor;
  /** log |dy/dx|, summed over `eventDim` dims: shape is x's batch shape. */
  abstract logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** Shape of y for an x of this shape. */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
}

export class IdentityTransform extends Transform {
  readonly name = "identity";
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y;
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
}

export class ExpTransform extends Transform {
  readonly name = "exp";
  forward(x: tf.Tensor): tf.Tensor {
    return x.exp();
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y.log();
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/** y = loc + scale * x, elementwise. */
export class AffineTransform extends Transform {
  readonly name = "affine";
  constructor(readonly loc: number, readonly scale: number) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x.mul(this.scale).add(this.loc);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y.sub(this.loc).div(this.scale);
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.fill(x.shape, Math.log(Math.abs(this.scale)));
  }
}

export class SigmoidTransform extends Transform {
  readonly name = "sigmoid";
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = y.clipByValue(1e-7, 1 - 1e-7);
      return c.log().sub(tf.neg(c).log1p());
    });
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    // log sigmoid(x) + log sigmoid(-x) = -softplus(-x) - softplus(x)
    return tf.tidy(() => tf.softplus(x.neg()).add(tf.softplus(x)).neg());
  }
}

/**
 * Stick-breaking map R^(K-1) -> interior of the K-simplex. The offset makes
 * x = 0 map to the uniform point, as in Pyro.
 */
export class StickBreakingTransform extends Transform {
  readonly name = "stickBreaking";
  override readonly eventDim = 1;

  private offsetLog(n: number): tf.Tensor {
    // log(K-1), log(K-2), ..., log(1) for K-1 = n
    return tf.tensor1d(Array.from({ length: n }, (_, i) => Math.log(n - i)));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = x.shape[x.rank - 1]!;
      const u = x.sub(this.offsetLog(n));
      const logZ = logSigmoid(u);
      const log1mZ = logSigmoid(u.neg());
      // log of the remaining stick before each break: exclusive cumsum of log(1 - z)
      const logRemaining = cumsumLast(log1mZ, true);
      const head = logZ.add(logRemaining).exp();
      const tail = logRemaining.slice(
        new Array<number>(x.rank).fill(0).map((_, i) => (i === x.rank - 1 ? n - 1 : 0)),
      ).add(log1mZ.slice(new Array<number>(x.rank).fill(0).map((_, i) => (i === x.rank - 1 ? n - 1 : 0)))).exp();
      return tf.concat([head, tail], -1);
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = y.shape[y.rank - 1]!;
      const n = k - 1;
      const size = [...y.shape];
      size[y.rank - 1] = n;
      const crop = y.slice(new Array<number>(y.rank).fill(0), size);
      // stick remaining after each break; clamped so rounding cannot make it <= 0
      const remaining = tf.scalar(1).sub(cumsumLast(crop)).maximum(1.1754944e-38);
      return crop.log().sub(remaining.log()).add(this.offsetLog(n));
    });
  }

  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = x.shape[x.rank - 1]!;
      const u = x.sub(this.offsetLog(n));
      const size = [...y.shape];
      size[y.rank - 1] = n;
      const crop = y.slice(new Array<number>(y.rank).fill(0), size);
      return u.neg().add(logSigmoid(u)).add(crop.log()).sum(-1);
    });
  }

  override forwardShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! + 1;
    return s;
  }
  override inverseShape(shape: readonly number[]): number[] {
    const s = [...shape];
    s[s.length - 1] = s[s.length - 1]! - 1;
    return s;
  }
}

/** Apply `parts` left to right. */
export class ComposeTransform extends Transform {
  readonly name: string;
  override readonly eventDim: number;
  constructor(readonly parts: readonly Transform[]) {
    super();
    this.name = `compose(${parts.map((p) => p.name).join(", ")})`;
    this.eventDim = Math.max(0, ...parts.map((p) => p.eventDim));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.parts.reduce((v, t) => t.forward(v), x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return this.parts.reduceRight((v, t) => t.inverse(v), y);
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let total: tf.Tensor | undefined;
      let v = x;
      for (const t of this.parts) {
        const y = t.forward(v);
        let term = t.logAbsDetJacobian(v, y);
        // sum elementwise terms over the event dims the composition couples
        const extra = this.eventDim - t.eventDim;
        if (extra > 0) term = term.sum(Array.from({ length: extra }, (_, i) => term.rank - 1 - i));
        total = total === undefined ? term : total.add(term);
        v = y;
      }
      return total ?? tf.zeros([]);
    });
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce((s, t) => t.forwardShape(s), [...shape]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.parts.reduceRight((s, t) => t.inverseShape(s), [...shape]);
  }
}
