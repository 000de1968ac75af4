/**
 * Beta's log-density as ONE differentiable op in float64 JS (normal-logprob.ts
 * says why for Normal). The tfjs form, two guarded xlogy terms and log B(a, b),
 * is ~35 kernels forward and ~45 backward, and a coin pays it twice a step
 * (its prior and its guide).
 *
 *   log Beta(x | a, b) = (a-1) log x + (b-1) log(1-x) - log B(a, b)
 *   ∂/∂x = (a-1)/x - (b-1)/(1-x),  ∂/∂a = log x - ψ(a) + ψ(a+b),  ∂/∂b = log(1-x) - ψ(b) + ψ(a+b)
 *
 * with xlogy's convention (special.ts): where a = 1 and x = 0 the first term is
 * 0 (not 0 · -∞) and so are its derivatives; likewise the second where b = 1
 * and x = 1.
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastIndex } from "./broadcast-index.js";
import { customGradient } from "./custom-grad.js";
import { digammaNumber, lgammaNumber } from "./special.js";
import { broadcastShapes, sizeOf } from "./tensor.js";

/** log Beta(value | concentration1, concentration0), broadcast over the three. */
export function betaLogProb(value: tf.Tensor, concentration1: tf.Tensor, concentration0: tf.Tensor): tf.Tensor {
  const out = broadcastShapes([value.shape, concentration1.shape, concentration0.shape], "Beta log-density");
  // the parameters' own broadcast: log B and the digammas are computed once per parameter pair, not per value
  const pairShape = broadcastShapes([concentration1.shape, concentration0.shape]);
  const op = customGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>(([x, a, b]) => {
    const p: Pairs = {
      a: pairValues(a.dataSync(), broadcastIndex(a.shape, pairShape), sizeOf(pairShape)),
      b: pairValues(b.dataSync(), broadcastIndex(b.shape, pairShape), sizeOf(pairShape)),
    };
    const xs = x.dataSync();
    const ix = broadcastIndex(x.shape, out);
    const ip = broadcastIndex(pairShape, out);
    return {
      value: tf.tensor(logDensities(xs, ix, p, ip, sizeOf(out)), out),
      gradFunc: (dy: tf.Tensor) => {
        const gx = new Float64Array(xs.length);
        const ga = new Float64Array(p.a.length);
        const gb = new Float64Array(p.a.length);
        logDensityGradients(xs, ix, p, ip, dy.dataSync(), gx, ga, gb);
        return [
          tf.tensor(Float32Array.from(gx), x.shape),
          tf.tensor(reduceToInput(ga, broadcastIndex(a.shape, pairShape), a.size), a.shape),
          tf.tensor(reduceToInput(gb, broadcastIndex(b.shape, pairShape), b.size), b.shape),
        ];
      },
    };
  });
  return op(value, concentration1, concentration0);
}

/** a and b at each element of their broadcast shape. */
interface Pairs {
  a: Float64Array;
  b: Float64Array;
}

function pairValues(v: ArrayLike<number>, index: Int32Array | null, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = v[index === null ? i : index[i]!]!;
  return out;
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

function logDensities(x: ArrayLike<number>, ix: Int32Array | null, { a, b }: Pairs, ip: Int32Array | null, n: number): Float32Array {
  const logB = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) logB[k] = lgammaNumber(a[k]!) + lgammaNumber(b[k]!) - lgammaNumber(a[k]! + b[k]!);
  const lp = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const v = x[ix === null ? o : ix[o]!]!;
    const k = ip === null ? o : ip[o]!;
    const wa = a[k]! - 1;
    const wb = b[k]! - 1;
    lp[o] = (wa === 0 && v === 0 ? 0 : wa * Math.log(v)) + (wb === 0 && v === 1 ? 0 : wb * Math.log1p(-v)) - logB[k]!;
  }
  return lp;
}

/** Into gx (x's shape) and ga, gb (the pair shape), the gradients of Σ dy · log-density. */
function logDensityGradients(
  x: ArrayLike<number>, ix: Int32Array | null, { a, b }: Pairs, ip: Int32Array | null, dy: ArrayLike<number>,
  gx: Float64Array, ga: Float64Array, gb: Float64Array,
): void {
  const psiA = new Float64Array(a.length);
  const psiB = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) {
    const psiSum = digammaNumber(a[k]! + b[k]!);
    psiA[k] = psiSum - digammaNumber(a[k]!);
    psiB[k] = psiSum - digammaNumber(b[k]!);
  }
  for (let o = 0; o < dy.length; o++) {
    const i = ix === null ? o : ix[o]!;
    const k = ip === null ? o : ip[o]!;
    const w = dy[o]!;
    const v = x[i]!;
    const wa = a[k]! - 1;
    const wb = b[k]! - 1;
    const at0 = wa === 0 && v === 0;
    const at1 = wb === 0 && v === 1;
    gx[i]! += w * ((at0 ? 0 : wa / v) - (at1 ? 0 : wb / (1 - v)));
    ga[k]! += w * ((at0 ? 0 : Math.log(v)) + psiA[k]!);
    gb[k]! += w * ((at1 ? 0 : Math.log1p(-v)) + psiB[k]!);
  }
}

/** A gradient over the pair shape summed back onto an input that was broadcast to it. */
function reduceToInput(g: Float64Array, index: Int32Array | null, n: number): Float32Array {
  const out = new Float32Array(n);
  if (index === null) {
    for (let k = 0; k < g.length; k++) out[k] = g[k]!;
    return out;
  }
  const acc = new Float64Array(n);
  for (let k = 0; k < g.length; k++) acc[index[k]!]! += g[k]!;
  for (let i = 0; i < n; i++) out[i] = acc[i]!;
  return out;
}
