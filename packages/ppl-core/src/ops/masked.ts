/**
 * A log-density zeroed where a boolean mask is false, broadcast, as ONE op in
 * JS: tf.where broadcasts its inputs through wasm's general Tile (~90 ns an
 * element), which was a seventh of hmm.py model_1's step (a [T.., S, 1] mask
 * against [H, S, tones] emissions). Zero, not 0 · lp, where masked: lp may be -∞ there.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type BroadcastRows, rowsMemo } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { type KernelValues, writeTensor, zerosTensor } from "./kernel-io.js";
import { broadcastShapes } from "./tensor.js";

export function maskedLogProb(lp: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const out = broadcastShapes([lp.shape, mask.shape], "log-prob and mask shapes");
  const m = mask.dtype === "bool" ? mask : mask.cast("bool");
  const rowsOf = rowsMemo();
  // the mask is an input (a compiled loss replays the op with a new call's mask) with a zero gradient
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([x, mk], save) => {
    save([mk]);
    const rows = rowsOf(out, [x.shape, mk.shape]);
    const [shape, maskShape] = [x.shape, mk.shape];
    return {
      value: writeTensor(out, [x, mk], (o, [xs, ms]) => masked(xs!, ms!, rows, o)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        writeTensor(shape, [saved[0]!, dy], (g, [ms, dys]) => maskedGradient(ms!, rows, dys!, g)),
        zerosTensor(maskShape),
      ],
    };
  }, { mask: { shape: m.shape, out } });
  return op(lp, m);
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).
// A mask usually varies along outer dims only (the sequences, a time step) and is constant along a
// run of the output: such a run is copied or zeroed whole.

function masked(x: KernelValues, m: KernelValues, { rows, inner, base, step }: BroadcastRows, out: Float32Array): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    if (sm === 0) copyOrZero(x, bx[r]!, sx, m[bm[r]!] !== 0, out, o, inner);
    else for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, ix += sx, im += sm) out[o + c] = m[im] ? x[ix]! : 0;
  }
  return out;
}

/** A run of `n` elements of x (stride sx) copied to out at `o`, or zeros. */
function copyOrZero(x: KernelValues, ix: number, sx: number, pass: boolean, out: Float32Array, o: number, n: number): Float32Array {
  if (pass) for (let c = 0; c < n; c++, ix += sx) out[o + c] = x[ix]!;
  else for (let c = 0; c < n; c++) out[o + c] = 0;
  return out;
}

/** Σ dy onto each element of lp over the output elements it reached unmasked (one each, unless lp was broadcast). */
function maskedGradient(m: KernelValues, { rows, inner, base, step }: BroadcastRows, dy: KernelValues, g: Float32Array): Float32Array {
  const [bx, bm] = base as [Int32Array, Int32Array];
  const [sx, sm] = step as [number, number];
  // lp at the output's own shape: each element gets its own dy or 0, nothing to sum
  if (g.length === rows * inner && sx === 1 && sm === 0 && bx.every((b, r) => b === r * inner)) return passedRows(m, bm, rows, inner, dy, g);
  const acc = new Float64Array(g.length);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!; c < inner; c++, o++, ix += sx, im += sm) if (m[im]) acc[ix]! += dy[o]!;
  }
  for (let i = 0; i < g.length; i++) g[i] = acc[i]!;
  return g;
}

function passedRows(m: KernelValues, bm: Int32Array, rows: number, inner: number, dy: KernelValues, g: Float32Array): Float32Array {
  for (let r = 0, o = 0; r < rows; r++, o += inner) copyOrZero(dy, o, 1, m[bm[r]!] !== 0, g, o, inner);
  return g;
}
