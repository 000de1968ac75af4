import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, dependent } from "../constraints/constraint.js";
import { PPLShapeError, formatShape } from "../errors.js";
import { broadcastIndex } from "../ops/broadcast-index.js";
import { broadcastShapes, broadcastTo, sizeOf, type TensorLike } from "../ops/tensor.js";
import { Distribution } from "./base/distribution.js";
import { asFloat } from "./base/validate.js";

/** Options of `Delta`. */
export interface DeltaOptions {
  /** Log-density at the point (default 0). */
  logDensity?: TensorLike;
  /** Rightmost dims of `v` that form one event (default 0). */
  eventDim?: number;
}

/** All mass at `v`. logProb is `logDensity` at v and -Infinity elsewhere. Pyro's `dist.Delta`. */
export class Delta extends Distribution {
  readonly name = "Delta";
  /** The point. */
  readonly v: tf.Tensor;
  /** The log-density at the point, shape batchShape (zeros unless given). */
  readonly logDensity: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly support: Constraint = dependent;
  override readonly hasRsample = true;
  /** Whether logDensity was given (else it is zeros and adding it is skipped). */
  private readonly hasLogDensity: boolean;

  constructor(v: TensorLike, options: DeltaOptions = {}) {
    super();
    this.v = v instanceof tf.Tensor ? v : asFloat(v);
    const eventDim = options.eventDim ?? 0;
    if (!Number.isInteger(eventDim) || eventDim < 0 || eventDim > this.v.rank) {
      throw new PPLShapeError(
        `Delta: eventDim must be an integer in [0, ${this.v.rank}] for a value of shape ${formatShape(this.v.shape)}, got ${eventDim}`,
        { expected: `0..${this.v.rank}`, actual: String(eventDim) },
      );
    }
    this.batchShape = this.v.shape.slice(0, this.v.rank - eventDim);
    this.eventShape = this.v.shape.slice(this.v.rank - eventDim);
    this.logDensity = options.logDensity === undefined ? tf.zeros([...this.batchShape]) : asFloat(options.logDensity);
    this.hasLogDensity = options.logDensity !== undefined;
  }

  sample(sampleShape: readonly number[] = []): tf.Tensor {
    return broadcastTo(this.v, this.shape(sampleShape));
  }

  /**
   * 0 where every event element matches, -Infinity otherwise, plus logDensity.
   * The match is computed in JS and enters as a constant: it has no gradient
   * in value or v anyway, and as tfjs ops (equal, cast, sum, where, with their
   * zero gradients) it cost ~20 kernels per guide site per SVI step.
   */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const full = broadcastShapes([value.shape, this.v.shape], "Delta value and point shapes");
      const outShape = full.slice(0, full.length - this.eventShape.length);
      const match = value === this.v ? new Float32Array(sizeOf(outShape)) : this.matches(value, full, outShape);
      const lp = tf.tensor(match, outShape);
      return this.hasLogDensity ? lp.add(this.logDensity) : broadcastTo(lp, broadcastShapes([outShape, this.batchShape]));
    });
  }

  /**
   * 0 where `value`'s event equals the point's, else -Infinity. The point
   * itself (a guide's Delta scoring its own draw) matches without a read: a
   * value read in JS would be a constant a compiled loss could not replay
   * (docs/compiled.md), and a NaN point reaches the loss through the sites
   * that use it.
   */
  private matches(value: tf.Tensor, full: number[], outShape: number[]): Float32Array {
    const E = sizeOf(full) / Math.max(1, sizeOf(outShape));
    const vd = value.dataSync();
    const pd = this.v.dataSync();
    const iv = broadcastIndex(value.shape, full);
    const ip = broadcastIndex(this.v.shape, full);
    const match = new Float32Array(sizeOf(outShape));
    for (let r = 0; r < match.length; r++) {
      for (let o = r * E; o < (r + 1) * E; o++) {
        if (vd[iv === null ? o : iv[o]!] !== pd[ip === null ? o : ip[o]!]) {
          match[r] = -Infinity;
          break;
        }
      }
    }
    return match;
  }

  override get mean(): tf.Tensor {
    return this.v;
  }
  override get variance(): tf.Tensor {
    return tf.zerosLike(this.v);
  }
  override expand(batchShape: readonly number[]): Distribution {
    if (batchShape.length === this.batchShape.length && batchShape.every((d, i) => d === this.batchShape[i])) return this;
    return new Delta(broadcastTo(this.v, [...batchShape, ...this.eventShape]), {
      ...(this.hasLogDensity ? { logDensity: broadcastTo(this.logDensity, batchShape) } : {}),
      eventDim: this.eventShape.length,
    });
  }
}
