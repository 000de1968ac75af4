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
    const shapes = [v.shape, p.shape];
    // a table per parameter pays when the parameter is broadcast over values (an emission's probs over
    // sequences and steps); read about once each (a gathered, per-step parameter), the per-value form takes
    // one log where the table takes two, and allocates nothing but its result
    if (2 * ps.length > rows.rows * rows.inner) {
      return {
        value: tf.tensor(kind === "probs" ? logMassOfProbs(vs, ps, rows) : logMassOfLogits(vs, ps, rows), out),
        gradFunc: (dy: tf.Tensor) => {
          const g = new Float64Array(ps.length);
          (kind === "probs" ? probsGradient : logitsGradient)(vs, ps, rows, dy.dataSync(), g);
          return [tf.zeros(shapes[0]!), tf.tensor(Float32Array.from(g), shapes[1])];
        },
      };
    }
    const t = tables(ps, kind);
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

/** The per-value form in probs: log c or log(1 - c) for a value of 1 or 0, c = clamp(p), their mix between. */
function logMassOfProbs(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const q = clampProbNumber(p[ip]!);
      lp[o] = x === 1 ? Math.log(q) : x === 0 ? Math.log1p(-q) : x * Math.log(q) + (1 - x) * Math.log1p(-q);
    }
  }
  return lp;
}

/** The per-value form in logits: log σ(l) or log σ(-l), their mix between. */
function logMassOfLogits(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  const lp = new Float32Array(rows * inner);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const l = p[ip]!;
      lp[o] = x === 1 ? logSigmoid(l) : x === 0 ? logSigmoid(-l) : x * logSigmoid(l) + (1 - x) * logSigmoid(-l);
    }
  }
  return lp;
}

/** ∂/∂p per value: 1/c at 1, -1/(1 - c) at 0, their mix between; 0 where the clamp bites. */
function probsGradient(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Float64Array): void {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const a = p[ip]!;
      const q = clampProbNumber(a);
      if (q !== a) continue;
      const x = v[iv]!;
      g[ip]! += dy[o]! * (x === 1 ? 1 / q : x === 0 ? -1 / (1 - q) : x / q - (1 - x) / (1 - q));
    }
  }
}

/** ∂/∂l per value: v - σ(l). */
function logitsGradient(v: ArrayLike<number>, p: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows, dy: ArrayLike<number>, g: Float64Array): void {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      g[ip]! += dy[o]! * (v[iv]! - 1 / (1 + Math.exp(-p[ip]!)));
    }
  }
}
