/**
 * A log-density zeroed where a boolean mask is false, broadcast, as ONE op in
 * JS: tf.where broadcasts its inputs through wasm's general Tile (~90 ns an
 * element), which was a seventh of hmm.py model_1's step (a [T.., S, 1] mask
 * against [H, S, tones] emissions). Zero, not 0 · lp, where masked: lp may be -∞ there.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type BroadcastRows, broadcastRows } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { broadcastShapes } from "./tensor.js";

export function maskedLogProb(lp: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const out = broadcastShapes([lp.shape, mask.shape], "log-prob and mask shapes");
  const m = mask.dtype === "bool" ? mask : mask.cast("bool");
  // the mask is an input (a compiled loss replays the op with a new call's mask) with a zero gradient
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([x, mk], save) => {
    save([mk]);
    const rows = broadcastRows(out, [x.shape, mk.shape]);
    const xs = x.dataSync() as Float32Array;
    const shape = x.shape;
    return {
      value: tf.tensor(masked(xs, mk.dataSync(), rows), out),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.tensor(maskedGradient(saved[0]!.dataSync(), rows, dy.dataSync() as Float32Array, xs.length), shape),
        tf.zeros(saved[0]!.shape),
      ],
    };
  });
  return op(lp, m);
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).
// A mask usually varies along outer dims only (the sequences, a time step) and is constant along a
// run of the output: such a run is copied or left zero whole.

function masked(x: Float32Array, m: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  const outv = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    if (sm === 0 && sx === 1) {
      if (m[bm[r]!]) outv.set(x.subarray(bx[r]!, bx[r]! + inner), o);
      continue;
    }
    for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, ix += sx, im += sm) outv[o + c] = m[im] ? x[ix]! : 0;
  }
  return outv;
}

function maskedGradient(m: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: Float32Array, n: number): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  // lp at the output's own shape: each element gets its own dy or 0, nothing to sum
  if (n === rows * inner && sx === 1 && sm === 0 && bx.every((b, r) => b === r * inner)) return passedRows(m, bm, rows, inner, dy);
  const g = new Float64Array(n);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, o++, ix += sx, im += sm) if (m[im]) g[ix]! += dy[o]!;
  }
  return Float32Array.from(g);
}

function passedRows(m: ArrayLike<number>, bm: Int32Array, rows: number, inner: number, dy: Float32Array): Float32Array {
  const g = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++, o += inner) if (m[bm[r]!]) g.set(dy.subarray(o, o + inner), o);
  return g;
}
