/**
 * A log-density zeroed where a boolean mask is false, broadcast, as ONE op in
 * JS: tf.where broadcasts its inputs through wasm's general Tile (~90 ns an
 * element), which was a seventh of hmm.py model_1's step (a [T.., S, 1] mask
 * against [H, S, tones] emissions). Zero, not 0 · lp, where masked: lp may be -∞ there.
 */
import * as tf from "@tensorflow/tfjs";
import { type BroadcastRows, broadcastRows } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { broadcastShapes } from "./tensor.js";

export function maskedLogProb(lp: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const out = broadcastShapes([lp.shape, mask.shape], "log-prob and mask shapes");
  const m = mask.dtype === "bool" ? mask : mask.cast("bool");
  // the mask is saved, not an input: it has no gradient
  const op = customGradient<[tf.Tensor]>(([x], save) => {
    save([m]);
    const rows = broadcastRows(out, [x.shape, m.shape]);
    const xs = x.dataSync();
    const shape = x.shape;
    return {
      value: tf.tensor(masked(xs, m.dataSync(), rows), out),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tensor(maskedGradient(saved[0]!.dataSync(), rows, dy.dataSync(), xs.length), shape),
    };
  });
  return op(lp);
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

function masked(x: ArrayLike<number>, m: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  const outv = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, o++, ix += sx, im += sm) outv[o] = m[im] ? x[ix]! : 0;
  }
  return outv;
}

function maskedGradient(m: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, n: number): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  const g = new Float64Array(n);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, o++, ix += sx, im += sm) if (m[im]) g[ix]! += dy[o]!;
  }
  return Float32Array.from(g);
}
