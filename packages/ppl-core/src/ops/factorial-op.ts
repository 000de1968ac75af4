/**
 * The factorial chain kernel (factorial-kernel.ts) fed from tensors: each
 * per-step factor comes as a term on a few of the chains ([B|1, n, Π K_c]
 * over its chains c, in chain order), spread over the product state in
 * float64 here (the product state's rank, M + 2, would pass tfjs wasm's rank
 * limit as a tensor); the log form is one differentiable op whose gradient
 * is the posterior marginals summed back onto each term's chains.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLShapeError, formatShape } from "../errors.js";
import { customGradient } from "./custom-grad.js";
import { type FactorialLayout, factorialForward, factorialLayout, factorialPosteriors } from "./factorial-kernel.js";

/** A per-step factor on the chains `chains` (ascending): a tensor [B|1, n, Π K_c]. */
export interface FactorialTerm {
  readonly data: tf.Tensor;
  readonly chains: readonly number[];
}

/** The kernel's layout for these terms and pairs (pairs[m]: chain m's transitions [B|1, n-1|1, K_m, K_m]). */
export function factorialTermsLayout(n: number, terms: readonly FactorialTerm[], pairs: readonly tf.Tensor[], who: string): FactorialLayout {
  const sizes = pairs.map((p) => p.shape[2]!);
  const S = sizes.reduce((a, b) => a * b, 1);
  for (const t of terms) {
    const width = t.chains.reduce((a, c) => a * (sizes[c] ?? NaN), 1);
    if (t.data.rank !== 3 || t.data.shape[1] !== n || t.data.shape[2] !== width) {
      throw new PPLShapeError(`${who}: a factor on chains ${t.chains.join(",")} has shape ${formatShape(t.data.shape)}`, {
        expected: `[B|1, ${n}, ${width}]`, actual: formatShape(t.data.shape),
      });
    }
  }
  const Bu = Math.max(1, ...terms.map((t) => t.data.shape[0]!));
  return factorialLayout([Bu, n, S], pairs.map((p) => p.shape), who);
}

/** For every product state, its index into a term on `chains` (row-major over them). */
function termIndex(L: FactorialLayout, chains: readonly number[]): Int32Array {
  const idx = new Int32Array(L.S);
  for (let s = 0; s < L.S; s++) {
    let k = 0;
    for (const c of chains) k = k * L.sizes[c]! + (Math.floor(s / L.strides[c]!) % L.sizes[c]!);
    idx[s] = k;
  }
  return idx;
}

/**
 * Σ of the terms on the product state, [Bu, n, S] (a term with batch 1 is
 * shared by every sequence). One term on every chain, over the whole batch,
 * is laid out so already: its values are read as they are.
 */
export function expandTerms(L: FactorialLayout, terms: readonly FactorialTerm[]): ArrayLike<number> {
  const { n, S, Bu } = L;
  const only = terms.length === 1 ? terms[0]! : undefined;
  if (only !== undefined && only.chains.length === L.sizes.length && only.data.shape[0] === Bu) return only.data.dataSync();
  const out = new Float64Array(Bu * n * S);
  for (const t of terms) {
    const x = t.data.dataSync();
    const Bt = t.data.shape[0]!;
    const width = t.data.shape[2]!;
    const idx = termIndex(L, t.chains);
    for (let b = 0; b < Bu; b++) {
      const src = (Bt === 1 ? 0 : b) * n * width;
      for (let i = 0; i < n; i++) {
        const row = src + i * width;
        const dst = (b * n + i) * S;
        for (let s = 0; s < S; s++) out[dst + s]! += x[row + idx[s]!]!;
      }
    }
  }
  return out;
}

/** A product-state array [Bu, n, S] summed onto one term's layout (its gradient). */
function reduceToTerm(L: FactorialLayout, g: Float64Array, t: FactorialTerm): tf.Tensor {
  const { n, S, Bu } = L;
  const Bt = t.data.shape[0]!;
  const width = t.data.shape[2]!;
  const idx = termIndex(L, t.chains);
  const out = new Float32Array(Bt * n * width);
  const acc = new Float64Array(width);
  for (let b = 0; b < Bu; b++) {
    const dst = (Bt === 1 ? 0 : b) * n * width;
    for (let i = 0; i < n; i++) {
      acc.fill(0);
      const row = (b * n + i) * S;
      for (let s = 0; s < S; s++) acc[idx[s]!]! += g[row + s]!;
      for (let k = 0; k < width; k++) out[dst + i * width + k]! += acc[k]!;
    }
  }
  return tf.tensor(out, t.data.shape);
}

/**
 * log Σ over every joint path of the factorial chain, [B]; differentiable in
 * every term and pair (the gradient is the posterior pass).
 */
export function factorialLogSumExp(n: number, terms: readonly FactorialTerm[], pairs: readonly tf.Tensor[]): tf.Tensor {
  const L = factorialTermsLayout(n, terms, pairs, "factorialLogSumExp");
  const chains = terms.map((t) => t.chains);
  const op = customGradient<tf.Tensor[]>((inputs) => {
    const ts = inputs.slice(0, terms.length).map((data, i) => ({ data, chains: chains[i]! }));
    const ps = inputs.slice(terms.length);
    const sw = factorialForward(L, expandTerms(L, ts), ps.map((p) => p.dataSync()));
    return {
      value: tf.tensor1d(Float32Array.from(sw.logZ)),
      gradFunc: (dy: tf.Tensor) => {
        const g = factorialPosteriors(sw, dy.dataSync());
        return [...ts.map((t) => reduceToTerm(L, g.unary, t)), ...ps.map((p, m) => tf.tensor(Float32Array.from(g.pairs[m]!), p.shape))];
      },
    };
  });
  return op(...terms.map((t) => t.data), ...pairs);
}
