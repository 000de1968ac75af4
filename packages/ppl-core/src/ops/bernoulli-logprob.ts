/**
 * Bernoulli's log-mass as ONE differentiable op in float64 JS. The tfjs form
 * guards 0 · log 0 with broadcasting `where`s, and wasm broadcasts those
 * through its general Tile at ~90 ns an element: for hmm.py's emissions
 * (value [T.., S, tones] against probs [H, tones]) that was half an SVI step.
 *
 *   log Bern(v | p) = v log p + (1 - v) log(1 - p), with 0 · log 0 = 0
 *   ∂/∂p = v / p - (1 - v) / (1 - p), each term 0 where its weight is 0
 *   (probs are clamped to [eps, 1 - eps] first, as torch's clamp_probs: clamp-probs.ts;
 *   ∂/∂p is 0 where the clamp bites)
 *   (logits l: v·logσ(l) + (1-v)·logσ(-l), ∂/∂l = v - σ(l))
 */
import * as tf from "@tensorflow/tfjs-core";
import { type BroadcastRows, broadcastRows } from "./broadcast-index.js";
import { clampProbNumber } from "./clamp-probs.js";
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
    const t = tables(ps, kind);
    const shapes = [v.shape, p.shape];
    return {
      value: tf.tensor(logMass(vs, t, rows), out),
      gradFunc: (dy: tf.Tensor) => {
        const g = new Float64Array(ps.length);
        logMassGradient(vs, t, rows, dy.dataSync(), g);
        return [tf.zeros(shapes[0]!), tf.tensor(Float32Array.from(g), shapes[1])];
      },
    };
  });
  return op(value.dtype === "float32" ? value : value.cast("float32"), param);
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

/**
 * Per parameter element, the log-mass at 1 and at 0 and their derivatives in
 * the parameter: the emissions broadcast each parameter over many values, so
 * the logs and divisions are done once per parameter, and per value a select
 * (or, for a value strictly between 0 and 1, a weighted sum) remains.
 *   probs q (clamped to c):  log c, log(1 - c);  1/c, -1/(1 - c), or 0 and 0 where c ≠ q
 *   logits l: log σ(l), log σ(-l);  1 - σ(l), -σ(l)
 */
interface Tables {
  at1: Float64Array;
  at0: Float64Array;
  d1: Float64Array;
  d0: Float64Array;
}

/** log σ(l), stable for large |l|. */
const logSigmoid = (l: number): number => (l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));

function tables(p: ArrayLike<number>, kind: "probs" | "logits"): Tables {
  const n = p.length;
  const t: Tables = { at1: new Float64Array(n), at0: new Float64Array(n), d1: new Float64Array(n), d0: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const a = p[i]!;
    if (kind === "probs") {
      const c = clampProbNumber(a);
      t.at1[i] = Math.log(c);
      t.at0[i] = Math.log(1 - c);
      t.d1[i] = c === a ? 1 / c : 0;
      t.d0[i] = c === a ? -1 / (1 - c) : 0;
    } else {
      const sig = 1 / (1 + Math.exp(-a));
      t.at1[i] = logSigmoid(a);
      t.at0[i] = logSigmoid(-a);
      t.d1[i] = 1 - sig;
      t.d0[i] = -sig;
    }
  }
  return t;
}

/** 0 · log 0 = 0: a value of exactly 1 or 0 reads only its own term. */
function logMass(v: ArrayLike<number>, { at1, at0 }: Tables, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      lp[o] = x === 1 ? at1[ip]! : x === 0 ? at0[ip]! : x * at1[ip]! + (1 - x) * at0[ip]!;
    }
  }
  return lp;
}

function logMassGradient(v: ArrayLike<number>, { d1, d0 }: Tables, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Float64Array): void {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      g[ip]! += dy[o]! * (x === 1 ? d1[ip]! : x === 0 ? d0[ip]! : x * d1[ip]! + (1 - x) * d0[ip]!);
    }
  }
}
