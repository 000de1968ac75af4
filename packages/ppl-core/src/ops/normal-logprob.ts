/**
 * Normal and LogNormal log-densities as ONE differentiable op each, computed
 * in float64 JS. The tfjs form is 7 kernels forward and ~25 backward (each
 * with its own saved-tensor copies and casts), and every SVI step pays it
 * for priors and emissions; the tensors are small next to that dispatch
 * cost, so reading them into JS is far cheaper.
 *
 *   log N(x | μ, σ) = -½((x-μ)/σ)² - log σ - ½ log 2π, broadcast over x, μ, σ
 *   ∂/∂x = -z/σ,  ∂/∂μ = z/σ,  ∂/∂σ = (z² - 1)/σ
 *   log LogNormal(x | μ, σ) = log N(log x | μ, σ) - log x,  ∂/∂x = (-z/σ - 1)/x
 */
import * as tf from "@tensorflow/tfjs-core";
import { type BroadcastRows, broadcastIndex, rowsMemo } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { copyInto, float64Sums, writeTensor, writeTensors } from "./kernel-io.js";
import { broadcastShapes } from "./tensor.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(value | loc, scale), broadcast to `outShape` (default: the inputs' broadcast shape). */
export function normalLogProb(value: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor, outShape?: readonly number[]): tf.Tensor {
  return gaussianLogProb(false, value, loc, scale, outShape);
}

/** log LogNormal(value | loc, scale): the Normal density of log(value), less log(value). */
export function logNormalLogProb(value: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor, outShape?: readonly number[]): tf.Tensor {
  return gaussianLogProb(true, value, loc, scale, outShape);
}

function gaussianLogProb(
  logSpace: boolean, value: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor, outShape: readonly number[] | undefined,
): tf.Tensor {
  const out = outShape === undefined ? broadcastShapes([value.shape, loc.shape, scale.shape]) : [...outShape];
  const rowsOf = rowsMemo();
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>((inputs, save) => {
    save(inputs);
    const shapes = inputs.map((t) => t.shape);
    const rows = rowsOf(out, shapes);
    return {
      value: writeTensor(out, inputs, (lp, [x, m, s]) => logDensities(logSpace, { x: x!, m: m!, s: s! }, rows, lp)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        writeTensors(shapes, [...saved, dy], (outs, [x, m, s, dys]) => {
          // the three gradients' float64 sums side by side in one shared array
          const [nx, nm] = [x!.length, m!.length];
          const acc = float64Sums(nx + nm + s!.length);
          const g = { x: acc.subarray(0, nx), m: acc.subarray(nx, nx + nm), s: acc.subarray(nx + nm) };
          logDensityGradients(logSpace, { x: x!, m: m!, s: s! }, rows, dys!, g);
          copyInto(outs[0]!, g.x);
          copyInto(outs[1]!, g.m);
          copyInto(outs[2]!, g.s);
        }),
    };
  });
  return op(value, loc, scale);
}

/** The values of x, loc and scale (or their gradients). */
interface Inputs<A extends ArrayLike<number> = ArrayLike<number>> {
  x: A;
  m: A;
  s: A;
}

// The loops live in module-level functions with nothing after them but a return of a local:
// V8 compiles a hot loop on the stack before the code after it has type feedback, keeps
// reusing that code, and a property access after the loop deoptimised it on every call.

/** f of each scale, in float64, by a loop (Float64Array.from walks a typed array through its iterator: an object per scale). */
function mapped(s: ArrayLike<number>, f: (v: number) => number): Float64Array {
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = f(s[i]!);
  return out;
}

const reciprocal = (v: number): number => 1 / v;

function logDensities(logSpace: boolean, { x, m, s }: Inputs, { rows, inner, base, step }: BroadcastRows, lp: Float32Array): Float32Array {
  const [bx, bm, bs] = base as [Int32Array, Int32Array, Int32Array];
  const [sx, sm, ss] = step as [number, number, number];
  const logS = mapped(s, Math.log);
  // a multiply per value, not a divide (the scales are few, the values many: a day's emissions are T·S)
  const invS = mapped(s, reciprocal);
  // the value constant along the run and loc and scale each read once along it (one value against every
  // state's parameters: an HMM's emissions, [..., T, 1] against [K]): one loop over every row
  if (sx === 0 && sm === 1 && ss === 1) return valueAgainstRuns(logSpace, x, m, bx, bm, bs, invS, logS, lp, rows, inner);
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    // loc and scale constant along the run (broadcast over the values: an emission's parameters per
    // state against T values) in locals: the general loop's three strided reads cost ~3× the arithmetic
    if (sm === 0 && ss === 0) constantRun(logSpace, x, bx[r]!, sx, m[bm[r]!]!, invS[bs[r]!]!, logS[bs[r]!]!, lp, o, inner);
    else stridedRun(logSpace, { x, m, s }, bx[r]!, bm[r]!, bs[r]!, sx, sm, ss, invS, logS, lp, o, inner);
  }
  return lp;
}

/** stridedRun's arithmetic for sx = 0, sm = ss = 1, every row in one loop nest (a call per row of K cost more than its loop). */
function valueAgainstRuns(
  logSpace: boolean, x: ArrayLike<number>, m: ArrayLike<number>, bx: Int32Array, bm: Int32Array, bs: Int32Array,
  invS: Float64Array, logS: Float64Array, lp: Float32Array, rows: number, inner: number,
): Float32Array {
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    const lx = logSpace ? Math.log(x[bx[r]!]!) : x[bx[r]!]!;
    const im = bm[r]!;
    const is = bs[r]!;
    for (let c = 0; c < inner; c++) {
      const z = (lx - m[im + c]!) * invS[is + c]!;
      lp[o + c] = -0.5 * z * z - logS[is + c]! - HALF_LOG_2PI - (logSpace ? lx : 0);
    }
  }
  return lp;
}

function constantRun(logSpace: boolean, x: ArrayLike<number>, ix: number, sx: number, mu: number, inv: number, ls: number, lp: Float32Array, o: number, n: number): void {
  for (let c = 0; c < n; c++, ix += sx) {
    const lx = logSpace ? Math.log(x[ix]!) : x[ix]!;
    const z = (lx - mu) * inv;
    lp[o + c] = -0.5 * z * z - ls - HALF_LOG_2PI - (logSpace ? lx : 0);
  }
}

function stridedRun(
  logSpace: boolean, { x, m }: Inputs, ix: number, im: number, is: number, sx: number, sm: number, ss: number,
  invS: Float64Array, logS: Float64Array, lp: Float32Array, o: number, n: number,
): void {
  for (let c = 0; c < n; c++, ix += sx, im += sm, is += ss) {
    const lx = logSpace ? Math.log(x[ix]!) : x[ix]!;
    const z = (lx - m[im]!) * invS[is]!;
    lp[o + c] = -0.5 * z * z - logS[is]! - HALF_LOG_2PI - (logSpace ? lx : 0);
  }
}

/** Into g, the gradients in x, loc and scale of Σ dy · log-density; z is recomputed, so nothing output-sized outlives the forward pass. */
function logDensityGradients(logSpace: boolean, { x, m, s }: Inputs, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Inputs<Float64Array>): Inputs<Float64Array> {
  const [bx, bm, bs] = base as [Int32Array, Int32Array, Int32Array];
  const [sx, sm, ss] = step as [number, number, number];
  const { x: gx, m: gm, s: gs } = g;
  if (sx === 0 && sm === 1 && ss === 1) return gradientsAgainstRuns(logSpace, { x, m, s }, base as [Int32Array, Int32Array, Int32Array], rows, inner, dy, g);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!, is = bs[r]!; c < inner; c++, o++, ix += sx, im += sm, is += ss) {
      const w = dy[o]!;
      const xo = x[ix]!;
      const lx = logSpace ? Math.log(xo) : xo;
      const sig = s[is]!;
      const z = (lx - m[im]!) / sig;
      const wzs = (w * z) / sig;
      gx[ix]! += logSpace ? (-wzs - w) / xo : -wzs;
      gm[im]! += wzs;
      gs[is]! += wzs * z - w / sig;
    }
  }
  return g;
}

/**
 * logDensityGradients for sx = 0, sm = ss = 1 (see valueAgainstRuns): the value's gradient summed along its run in
 * a local, and the scales' reciprocals taken once instead of three divisions per value.
 */
function gradientsAgainstRuns(
  logSpace: boolean, { x, m, s }: Inputs, [bx, bm, bs]: [Int32Array, Int32Array, Int32Array], rows: number, inner: number,
  dy: ArrayLike<number>, g: Inputs<Float64Array>,
): Inputs<Float64Array> {
  const { x: gx, m: gm, s: gs } = g;
  const invS = mapped(s, reciprocal);
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    const ix = bx[r]!;
    const im = bm[r]!;
    const is = bs[r]!;
    const xo = x[ix]!;
    const lx = logSpace ? Math.log(xo) : xo;
    let gv = 0;
    let w = 0;
    for (let c = 0; c < inner; c++) {
      const dyc = dy[o + c]!;
      const inv = invS[is + c]!;
      const z = (lx - m[im + c]!) * inv;
      const wzs = dyc * z * inv;
      gv += wzs;
      w += dyc;
      gm[im + c]! += wzs;
      gs[is + c]! += wzs * z - dyc * inv;
    }
    gx[ix]! += logSpace ? (-gv - w) / xo : -gv;
  }
  return g;
}

/**
 * log N(x | loc, scale) at a draw x = loc + scale · ε, summed over the last
 * `eventDims` dims, from ε and scale alone: −½ε² − log scale − ½ log 2π. As a
 * function of loc and scale it is the log-density of the draw itself (its
 * total derivative, the one an ELBO's gradient takes: 0 in loc, −1/scale in
 * scale), so a guide scoring its own draw needs neither loc nor the draw as
 * inputs: loc's gradient is not accumulated from two uses, and the event sum
 * is the same op. `noise` (ε) is the draw's shape; scale broadcasts to it.
 * ε is an input so a compiled loss replays the op with fresh noise; it is never
 * differentiated (noise, not a param): its gradient is reported as zeros.
 */
export function normalLogProbOfNoise(noise: tf.Tensor, scale: tf.Tensor, eventDims: number): tf.Tensor {
  const shape = noise.shape;
  const outShape = shape.slice(0, shape.length - eventDims);
  const block = shape.slice(shape.length - eventDims).reduce((a, b) => a * b, 1);
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([s, e]) => {
    const sd = s.dataSync();
    const is = broadcastIndex(s.shape, shape);
    return {
      value: tf.tensor(noiseLogDensities(e.dataSync() as Float32Array, sd, is, block), outShape),
      gradFunc: (dy: tf.Tensor) => [tf.tensor(new Float32Array(noiseScaleGradient(dy.dataSync(), sd, is, block)), s.shape), tf.zeros(shape)],
    };
  });
  return op(scale, noise);
}

function noiseLogDensities(eps: Float32Array, s: ArrayLike<number>, is: Int32Array | null, block: number): Float32Array {
  const out = new Float32Array(eps.length / block);
  for (let r = 0, i = 0; r < out.length; r++) {
    let acc = 0;
    for (let k = 0; k < block; k++, i++) acc += -0.5 * eps[i]! * eps[i]! - Math.log(s[is === null ? i : is[i]!]!) - HALF_LOG_2PI;
    out[r] = acc;
  }
  return out;
}

/** Σ dy · (−1/scale) onto each scale element over the draws it was broadcast to. */
function noiseScaleGradient(dy: ArrayLike<number>, s: ArrayLike<number>, is: Int32Array | null, block: number): Float64Array {
  const g = new Float64Array(s.length);
  const n = dy.length * block;
  for (let i = 0; i < n; i++) {
    const j = is === null ? i : is[i]!;
    g[j]! -= dy[Math.floor(i / block)]! / s[j]!;
  }
  return g;
}
