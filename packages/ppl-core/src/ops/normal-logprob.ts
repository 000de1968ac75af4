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
import { type BroadcastRows, broadcastRows } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
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
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([x, m, s]) => {
    const data: Inputs = { x: x.dataSync(), m: m.dataSync(), s: s.dataSync() };
    const rows = broadcastRows(out, [x.shape, m.shape, s.shape]);
    const shapes = [x.shape, m.shape, s.shape];
    return {
      value: tf.tensor(logDensities(logSpace, data, rows), out),
      gradFunc: (dy: tf.Tensor) => {
        const g: Inputs<Float64Array> = { x: new Float64Array(data.x.length), m: new Float64Array(data.m.length), s: new Float64Array(data.s.length) };
        logDensityGradients(logSpace, data, rows, dy.dataSync(), g);
        return [g.x, g.m, g.s].map((v, i) => tf.tensor(Float32Array.from(v), shapes[i]));
      },
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

function logDensities(logSpace: boolean, { x, m, s }: Inputs, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bx, bm, bs] = base as [Int32Array, Int32Array, Int32Array];
  const [sx, sm, ss] = step as [number, number, number];
  const logS = Float64Array.from(s, Math.log);
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, ix = bx[r]!, im = bm[r]!, is = bs[r]!; c < inner; c++, o++, ix += sx, im += sm, is += ss) {
      const lx = logSpace ? Math.log(x[ix]!) : x[ix]!;
      const z = (lx - m[im]!) / s[is]!;
      lp[o] = -0.5 * z * z - logS[is]! - HALF_LOG_2PI - (logSpace ? lx : 0);
    }
  }
  return lp;
}

/** Into g, the gradients in x, loc and scale of Σ dy · log-density; z is recomputed, so nothing output-sized outlives the forward pass. */
function logDensityGradients(logSpace: boolean, { x, m, s }: Inputs, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Inputs<Float64Array>): void {
  const [bx, bm, bs] = base as [Int32Array, Int32Array, Int32Array];
  const [sx, sm, ss] = step as [number, number, number];
  const { x: gx, m: gm, s: gs } = g;
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
}
