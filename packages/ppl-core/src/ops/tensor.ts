/** Small tensor helpers shared by distributions, handlers and inference. */
import * as tf from "@tensorflow/tfjs-core";
import { PPLShapeError, formatShape } from "../errors.js";
import { customGradient } from "./custom-grad.js";
import { MAX_SAFE_RANK } from "../backend.js";

/** What distributions and primitives accept for a tensor: a tensor, or numbers (made float32). */
export type TensorLike = tf.Tensor | number | number[] | number[][] | number[][][];

/** `x` itself if it is a tensor, else a new float32 tensor of it. */
export function toTensor(x: TensorLike): tf.Tensor {
  return x instanceof tf.Tensor ? x : tf.tensor(x as number | number[] | number[][], undefined, "float32");
}

/** Numpy broadcasting of shapes; throws naming `what` when they do not broadcast. */
export function broadcastShapes(shapes: readonly (readonly number[])[], what = "shapes"): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new PPLShapeError(
          `${what} do not broadcast: ${shapes.map((x) => formatShape(x)).join(" vs ")}`,
          { actual: shapes.map((x) => formatShape(x)).join(" vs ") },
        );
      }
    }
  }
  return out;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Broadcast `x` to `shape` (no copy when already that shape). */
export function broadcastTo(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = shape.length - x.rank;
  const reshaped = lead > 0 ? x.reshape([...new Array<number>(lead).fill(1), ...x.shape]) : x;
  return tf.broadcastTo(reshaped, [...shape]);
}

/**
 * Sum over the rightmost `n` dims. For float32 it is one op summed in float64
 * JS: every Independent log-density goes through it, and as a Sum kernel it
 * also costs a saved copy and a two-kernel backward per site per step.
 */
export function sumRightmost(x: tf.Tensor, n: number): tf.Tensor {
  if (n <= 0) return x;
  if (x.dtype !== "float32") return x.sum(Array.from({ length: n }, (_, i) => x.rank - n + i));
  const outShape = x.shape.slice(0, x.rank - n);
  const block = sizeOf(x.shape.slice(x.rank - n));
  const rows = sizeOf(outShape);
  const op = customGradient<[tf.Tensor]>(([t]) => {
    const d = t.dataSync();
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let k = r * block; k < (r + 1) * block; k++) acc += d[k]!;
      out[r] = acc;
    }
    return {
      value: tf.tensor(out, outShape),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const gx = new Float32Array(rows * block);
        for (let r = 0; r < rows; r++) gx.fill(g[r]!, r * block, (r + 1) * block);
        return tf.tensor(gx, t.shape);
      },
    };
  }, { rowSum: { block } });
  return op(x);
}

/** Identity forward, zero gradient: tfjs has no stop_gradient. */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([x]) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * log(sum(exp(x))) over `axis`, finite-shifted so that an all -Infinity slice
 * gives -Infinity rather than tfjs's NaN.
 */
export function logSumExp(x: tf.Tensor, axis: number | number[], keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.isArray(axis) ? axis : [axis];
    const m = stopGradient(x.max(axes, true));
    const shift = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
    const s = x.sub(shift).exp().sum(axes, true).log().add(shift);
    return keepDims ? s : s.squeeze(axes.map((a) => (a < 0 ? a + x.rank : a)));
  });
}

export { MAX_SAFE_RANK };

/**
 * `f` applied to `x` with its leading dims folded into one when x's rank is
 * above MAX_SAFE_RANK: wasm silently computes wrong elementwise results at
 * rank 7+. `f` must work row-wise on the last `keep` axes.
 */
export function foldedRowwise(x: tf.Tensor, keep: number, f: (rows: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (x.rank <= MAX_SAFE_RANK) return f(x);
  return f(x.reshape([-1, ...x.shape.slice(x.rank - keep)])).reshape(x.shape);
}

/** Read a scalar tensor as a JS number. */
export function scalarOf(x: tf.Tensor): number {
  return x.dataSync()[0]!;
}

/** Cumulative sum along the last axis. tfjs's cumsum mis-shapes its result for a negative axis. */
export function cumsumLast(x: tf.Tensor, exclusive = false): tf.Tensor {
  return tf.cumsum(x, x.rank - 1, exclusive);
}

/**
 * log(sigmoid(x)) = -softplus(-x). tfjs's own logSigmoid keeps its input in a
 * closure for the backward pass, so its gradient breaks (disposed tensor)
 * whenever it runs inside a tidy; this form has only saved-input kernels.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.softplus(x.neg()).neg();
}
