/**
 * Bernoulli's log-mass as ONE differentiable op in float64 JS. The tfjs form
 * guards 0 · log 0 with broadcasting `where`s, and wasm broadcasts those
 * through its general Tile at ~90 ns an element: for hmm.py's emissions
 * (value [T.., S, tones] against probs [H, tones]) that was half an SVI step.
 *
 *   log Bern(v | p) = v log p + (1 - v) log(1 - p), with 0 · log 0 = 0
 *   ∂/∂p = v / p - (1 - v) / (1 - p), each term 0 where its weight is 0
 *   (logits l: v·logσ(l) + (1-v)·logσ(-l), ∂/∂l = v - σ(l))
 */
import * as tf from "@tensorflow/tfjs";
import { type BroadcastRows, broadcastRows } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { broadcastShapes } from "./tensor.js";

/**
 * log Bern(value | param), broadcast to `outShape` (default: the inputs' broadcast shape; a larger one is
 * an expanded distribution's target, written at once instead of copied); `param` is probs or logits. The
 * value gets no gradient (it is discrete).
 */
export function bernoulliLogProb(value: tf.Tensor, param: tf.Tensor, kind: "probs" | "logits", outShape?: readonly number[]): tf.Tensor {
  const out = outShape === undefined ? broadcastShapes([value.shape, param.shape]) : [...outShape];
  const op = customGradient<[tf.Tensor, tf.Tensor]>(([v, p]) => {
    const vs = v.dataSync();
    const ps = p.dataSync();
    const rows = broadcastRows(out, [v.shape, p.shape]);
    const shapes = [v.shape, p.shape];
    return {
      value: tf.tensor(kind === "probs" ? probsLogMass(vs, ps, rows) : logitsLogMass(vs, ps, rows), out),
      gradFunc: (dy: tf.Tensor) => {
        const g = new Float64Array(ps.length);
        (kind === "probs" ? probsGradient : logitsGradient)(vs, ps, rows, dy.dataSync(), g);
        return [tf.zeros(shapes[0]!), tf.tensor(Float32Array.from(g), shapes[1])];
      },
    };
  });
  return op(value.dtype === "float32" ? value : value.cast("float32"), param);
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

const xlog = (x: number, y: number): number => (x === 0 ? 0 : x * Math.log(y));

function probsLogMass(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const q = p[ip]!;
      lp[o] = xlog(x, q) + xlog(1 - x, 1 - q);
    }
  }
  return lp;
}

function probsGradient(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Float64Array): void {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const q = p[ip]!;
      g[ip]! += dy[o]! * ((x === 0 ? 0 : x / q) - (x === 1 ? 0 : (1 - x) / (1 - q)));
    }
  }
}

/** log σ(l), stable for large |l|. */
const logSigmoid = (l: number): number => (l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));

function logitsLogMass(v: ArrayLike<number>, l: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bv, bl] = base as [Int32Array, Int32Array];
  const [sv, sl] = step as [number, number];
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, il = bl[r]!; c < inner; c++, o++, iv += sv, il += sl) {
      const x = v[iv]!;
      const a = l[il]!;
      lp[o] = (x === 0 ? 0 : x * logSigmoid(a)) + (x === 1 ? 0 : (1 - x) * logSigmoid(-a));
    }
  }
  return lp;
}

function logitsGradient(v: ArrayLike<number>, l: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Float64Array): void {
  const [bv, bl] = base as [Int32Array, Int32Array];
  const [sv, sl] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, il = bl[r]!; c < inner; c++, o++, iv += sv, il += sl) {
      g[il]! += dy[o]! * (v[iv]! - 1 / (1 + Math.exp(-l[il]!)));
    }
  }
}
