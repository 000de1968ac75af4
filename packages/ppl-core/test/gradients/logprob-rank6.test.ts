// The gradient of every family's logProb when parameters and value broadcast
// up to rank 5 and rank 6 (ranks 7–12 of the ops themselves: high-rank.test.ts), on cpu and
// wasm. Truth: central finite differences in float64 of Σ w·log p over a
// closed-form log-density written below (plain JS numbers), with fixed
// weights w so that every output element is checked, not only their sum.
// tfjs's own Tile gradient stops at rank 4, so before the any-rank Tile
// gradient (backend/gradient-fixes.ts) Bernoulli, Categorical, Expanded and Masked threw here.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dist, type Distribution, setValidation } from "ppl-core";
import { lgamma64 } from "../distributions/helpers.js";
import { type Arg, centralDiff, evaluate, expectGradClose, fixed, onEachBackend, size } from "./fd.js";

const LOG_2PI = Math.log(2 * Math.PI);
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const normal = (v: number, m: number, s: number): number => -0.5 * ((v - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;

interface Param extends Arg {
  /** Differentiate with respect to it (false: a constant, e.g. Binomial's totalCount or a discrete value). */
  readonly grad: boolean;
  readonly dtype?: "int32";
}

interface Case {
  readonly name: string;
  /** The parameters, and the value under the key "value". */
  readonly args: Record<string, Param>;
  readonly make: (t: Record<string, tf.Tensor>) => Distribution;
  readonly density: (x: Record<string, number[]>) => number;
  /** Wrappers, applied in this order: .expand(shape), .toEvent(n), .mask(bool tensor). */
  readonly expand?: number[];
  readonly toEvent?: number;
  readonly mask?: Arg;
  /** The rank named is that of the largest tensor (batch + 2), not of the log-density. */
  readonly tensorRank?: boolean;
}

const first = (x: number[] | undefined): number => x![0]!;
const P = (shape: number[], lo: number, hi: number, seed: number, grad = true, event = 0): Param => ({
  shape, values: fixed(size(shape), lo, hi, seed), grad, event,
});
const ints = (shape: number[], n: number, seed: number, dtype?: "int32"): Param => ({
  shape, values: fixed(size(shape), 0, n, seed).map(Math.floor), grad: false, ...(dtype ? { dtype } : {}),
});
/** Rows of a random simplex on the last axis. */
const simplexRows = (shape: number[], seed: number): Param => {
  const K = shape[shape.length - 1]!;
  const raw = fixed(size(shape), 0.2, 1, seed);
  for (let r = 0; r < raw.length; r += K) {
    const s = raw.slice(r, r + K).reduce((a, b) => a + b, 0);
    for (let k = r; k < r + K; k++) raw[k]! /= s;
  }
  return { shape, values: raw, grad: false, event: 1 };
};

// Two layouts per family: parameters of rank 5 broadcasting against each other and
// the value (result rank 5), and rank 5 against rank 6 (result rank 6).
const LAYOUTS = {
  5: { a: [2, 1, 3, 1, 2], b: [1, 2, 1, 1, 2], v: [2, 1, 1, 2, 1] },
  6: { a: [2, 1, 1, 1, 3], b: [2, 1, 2, 1, 1, 1], v: [1, 2, 1, 2, 1, 3] },
} as const;

function cases(rank: 5 | 6): Case[] {
  const { a, b, v } = LAYOUTS[rank];
  const A = [...a];
  const B = [...b];
  const V = [...v];
  const K = 3;
  // the expanded cases broadcast the base's log-density (params only, a short value) up to `wrap`
  const wrap = rank === 6 ? [2, 2, 2, 2, 1, 3] : [2, 2, 3, 2, 2];
  const short = [wrap[wrap.length - 1]!];
  return [
    {
      name: "Normal", args: { loc: P(A, -1, 1, 1), scale: P(B, 0.5, 2, 2), value: P(V, -2, 2, 3) },
      make: (t) => dist.Normal(t.loc!, t.scale!), density: (x) => normal(first(x.value), first(x.loc), first(x.scale)),
    },
    {
      name: "LogNormal", args: { loc: P(A, -1, 1, 4), scale: P(B, 0.5, 2, 5), value: P(V, 0.3, 3, 6) },
      make: (t) => dist.LogNormal(t.loc!, t.scale!),
      density: (x) => normal(Math.log(first(x.value)), first(x.loc), first(x.scale)) - Math.log(first(x.value)),
    },
    {
      name: "HalfNormal", args: { scale: P(A, 0.5, 2, 7), value: P(V, 0.1, 3, 8) },
      make: (t) => dist.HalfNormal(t.scale!), density: (x) => Math.log(2) + normal(first(x.value), 0, first(x.scale)),
    },
    {
      name: "Uniform", args: { low: P(A, -2, -1, 9), high: P(B, 1, 2, 10), value: P(V, -0.9, 0.9, 11) },
      make: (t) => dist.Uniform(t.low!, t.high!), density: (x) => -Math.log(first(x.high) - first(x.low)),
    },
    {
      name: "Beta", args: { c1: P(A, 0.7, 3, 12), c0: P(B, 0.7, 3, 13), value: P(V, 0.1, 0.9, 14) },
      make: (t) => dist.Beta(t.c1!, t.c0!),
      density: (x) => {
        const [p, q, y] = [first(x.c1), first(x.c0), first(x.value)];
        return (p - 1) * Math.log(y) + (q - 1) * Math.log1p(-y) - (lgamma64(p) + lgamma64(q) - lgamma64(p + q));
      },
    },
    {
      name: "Gamma", args: { conc: P(A, 0.7, 3, 15), rate: P(B, 0.5, 2, 16), value: P(V, 0.2, 3, 17) },
      make: (t) => dist.Gamma(t.conc!, t.rate!),
      density: (x) => {
        const [c, r, y] = [first(x.conc), first(x.rate), first(x.value)];
        return c * Math.log(r) + (c - 1) * Math.log(y) - r * y - lgamma64(c);
      },
    },
    {
      name: "Exponential", args: { rate: P(A, 0.5, 2, 18), value: P(V, 0.1, 3, 19) },
      make: (t) => dist.Exponential(t.rate!), density: (x) => Math.log(first(x.rate)) - first(x.rate) * first(x.value),
    },
    {
      name: "StudentT", args: { df: P(A, 1.5, 6, 20), loc: P(B, -1, 1, 21), scale: P([...B.slice(1), 1], 0.5, 2, 22), value: P(V, -2, 2, 23) },
      make: (t) => dist.StudentT(t.df!, t.loc!, t.scale!),
      density: (x) => {
        const [n, m, s, y] = [first(x.df), first(x.loc), first(x.scale), first(x.value)];
        const z = (y - m) / s;
        return lgamma64((n + 1) / 2) - lgamma64(n / 2) - 0.5 * Math.log(n * Math.PI) - Math.log(s) - ((n + 1) / 2) * Math.log1p((z * z) / n);
      },
    },
    {
      name: "Laplace", args: { loc: P(A, -1, 1, 24), scale: P(B, 0.5, 2, 25), value: P(V, -2, 2, 26) },
      make: (t) => dist.Laplace(t.loc!, t.scale!),
      density: (x) => -Math.log(2 * first(x.scale)) - Math.abs(first(x.value) - first(x.loc)) / first(x.scale),
    },
    {
      name: "Poisson", args: { rate: P(A, 0.5, 4, 27), value: ints(V, 6, 28) },
      make: (t) => dist.Poisson(t.rate!),
      density: (x) => first(x.value) * Math.log(first(x.rate)) - first(x.rate) - lgamma64(first(x.value) + 1),
    },
    {
      name: "Binomial(probs)", args: { n: { ...ints(B, 1, 29), values: new Array<number>(size(B)).fill(0).map((_, i) => 5 + (i % 3)) }, probs: P(A, 0.1, 0.9, 30), value: ints(V, 5, 31) },
      make: (t) => dist.Binomial(t.n!, { probs: t.probs! }),
      density: (x) => {
        const [n, p, k] = [first(x.n), first(x.probs), first(x.value)];
        return lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
      },
    },
    {
      name: "Binomial(logits)", args: { n: { ...ints(B, 1, 32), values: new Array<number>(size(B)).fill(6) }, logits: P(A, -2, 2, 33), value: ints(V, 7, 34) },
      make: (t) => dist.Binomial(t.n!, { logits: t.logits! }),
      density: (x) => {
        const [n, l, k] = [first(x.n), first(x.logits), first(x.value)];
        return lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1) + k * l - n * softplus(l);
      },
    },
    {
      name: "Bernoulli(probs)", args: { probs: P(A, 0.1, 0.9, 35), value: ints(V, 2, 36) },
      make: (t) => dist.Bernoulli({ probs: t.probs! }),
      density: (x) => (first(x.value) === 1 ? Math.log(first(x.probs)) : Math.log1p(-first(x.probs))),
    },
    {
      name: "Bernoulli(logits)", args: { logits: P(A, -3, 3, 37), value: ints(V, 2, 38) },
      make: (t) => dist.Bernoulli({ logits: t.logits! }),
      density: (x) => first(x.value) * first(x.logits) - softplus(first(x.logits)),
    },
    {
      // unnormalised rows (validation is off in this file): torch scores log(p_k / Σ p)
      name: "Categorical(probs)", args: { probs: P([...A, K], 0.2, 2, 39, true, 1), value: ints(V, K, 40, "int32") },
      make: (t) => dist.Categorical({ probs: t.probs! }),
      density: (x) => Math.log(x.probs![first(x.value)]! / x.probs!.reduce((p, q) => p + q, 0)),
    },
    {
      name: "Categorical(logits)", args: { logits: P([...A, K], -2, 2, 41, true, 1), value: ints(V, K, 42, "int32") },
      make: (t) => dist.Categorical({ logits: t.logits! }),
      density: (x) => {
        const l = x.logits!;
        const m = Math.max(...l);
        return l[first(x.value)]! - m - Math.log(l.reduce((p, q) => p + Math.exp(q - m), 0));
      },
    },
    {
      name: "Dirichlet", args: { conc: P([...A, K], 0.6, 3, 43, true, 1), value: simplexRows([...V, K], 44) },
      make: (t) => dist.Dirichlet(t.conc!),
      density: (x) => {
        const c = x.conc!;
        const y = x.value!;
        const total = c.reduce((p, q) => p + q, 0);
        return c.reduce((acc, ck, k) => acc + (ck - 1) * Math.log(y[k]!) - lgamma64(ck), lgamma64(total));
      },
    },
    {
      // scaleTril has rank batch + 2: a batch of rank (rank - 2) puts it at the rank named
      name: "MultivariateNormal", tensorRank: true, args: {
        loc: P([...A.slice(2), 2], -1, 1, 45, true, 1),
        // lower-triangular factors with a positive diagonal; the density reads only the lower triangle
        tril: { ...P([...B.slice(2), 2, 2], -0.5, 0.5, 46, true, 2), values: lowerTriangular(P([...B.slice(2), 2, 2], -0.5, 0.5, 46).values) },
        value: P([...V.slice(2), 2], -2, 2, 47, true, 1),
      },
      make: (t) => dist.MultivariateNormal(t.loc!, { scaleTril: t.tril! }),
      density: (x) => {
        const [l00, , l10, l11] = x.tril! as [number, number, number, number];
        const d0 = x.value![0]! - x.loc![0]!;
        const d1 = x.value![1]! - x.loc![1]!;
        const z0 = d0 / l00;
        const z1 = (d1 - l10 * z0) / l11;
        return -0.5 * (z0 * z0 + z1 * z1) - Math.log(l00) - Math.log(l11) - LOG_2PI;
      },
    },
    {
      name: "Normal.expand", args: { loc: P(A, -1, 1, 48), scale: P(B, 0.5, 2, 49), value: P(short, -2, 2, 50) },
      make: (t) => dist.Normal(t.loc!, t.scale!), density: (x) => normal(first(x.value), first(x.loc), first(x.scale)),
      expand: wrap,
    },
    {
      name: "Normal.expand.toEvent(2)", args: { loc: P(A, -1, 1, 51), scale: P(B, 0.5, 2, 52), value: P(short, -2, 2, 53) },
      make: (t) => dist.Normal(t.loc!, t.scale!), density: (x) => normal(first(x.value), first(x.loc), first(x.scale)),
      expand: wrap, toEvent: 2,
    },
    {
      name: "Bernoulli.mask", args: { probs: P(A, 0.1, 0.9, 54), value: ints(V, 2, 55) },
      make: (t) => dist.Bernoulli({ probs: t.probs! }),
      density: (x) => (first(x.value) === 1 ? Math.log(first(x.probs)) : Math.log1p(-first(x.probs))),
      mask: { shape: rank === 6 ? [2, 1, 2, 1, 1, 1] : [2, 2, 1, 1, 1], values: [1, 0, 1, 1] },
    },
    {
      name: "Categorical.expand.mask", args: { logits: P([...A, K], -2, 2, 56, true, 1), value: ints([1], K, 57, "int32") },
      make: (t) => dist.Categorical({ logits: t.logits! }),
      density: (x) => {
        const l = x.logits!;
        return l[first(x.value)]! - Math.log(l.reduce((p, q) => p + Math.exp(q), 0));
      },
      expand: wrap,
      mask: { shape: rank === 6 ? [2, 1, 1, 2, 1, 1] : [1, 2, 1, 1, 2], values: [0, 1, 1, 1] },
    },
    {
      name: "Gamma.toEvent(1).mask", args: { conc: P(A, 0.7, 3, 58), rate: P(B, 0.5, 2, 59), value: P(V, 0.2, 3, 60) },
      make: (t) => dist.Gamma(t.conc!, t.rate!),
      density: (x) => {
        const [c, r, y] = [first(x.conc), first(x.rate), first(x.value)];
        return c * Math.log(r) + (c - 1) * Math.log(y) - r * y - lgamma64(c);
      },
      toEvent: 1,
      mask: { shape: rank === 6 ? [2, 1, 1, 2, 1] : [2, 1, 1, 2], values: [1, 0, 0, 1] },
    },
  ];
}

function lowerTriangular(values: number[]): number[] {
  const out = values.slice();
  for (let m = 0; m < out.length; m += 4) {
    out[m] = 0.8 + Math.abs(out[m]!);
    out[m + 1] = 0;
    out[m + 3] = 0.8 + Math.abs(out[m + 3]!);
  }
  return out;
}

/** The (masked, event-summed) log p in float64 for argument values `vals`, and the rank before the event sum. */
function reference(c: Case, vals: Record<string, number[]>): { shape: number[]; lp: number[]; rank: number } {
  const n = c.toEvent ?? 0;
  const args: Record<string, Arg> = {};
  for (const [k, a] of Object.entries(c.args)) args[k] = { shape: a.shape, values: vals[k]!, event: a.event ?? 0 };
  // the mask lines up with the batch dims, left of the n dims that toEvent folds into the event
  if (c.mask !== undefined) args.__mask = { shape: [...c.mask.shape, ...new Array<number>(n).fill(1)], values: c.mask.values };
  const { shape, values } = evaluate(args, (x) => (x.__mask !== undefined && x.__mask[0] === 0 ? 0 : c.density(x)), c.expand ? [c.expand] : []);
  if (n === 0) return { shape, lp: values, rank: shape.length };
  const block = size(shape.slice(shape.length - n));
  return {
    shape: shape.slice(0, shape.length - n),
    lp: Array.from({ length: values.length / block }, (_, r) => values.slice(r * block, (r + 1) * block).reduce((p, q) => p + q, 0)),
    rank: shape.length,
  };
}

function pplLogProb(c: Case, t: Record<string, tf.Tensor>): tf.Tensor {
  let d = c.make(t);
  if (c.expand !== undefined) d = d.expand(c.expand);
  if (c.toEvent !== undefined) d = d.toEvent(c.toEvent);
  if (c.mask !== undefined) d = d.mask(tf.tensor(c.mask.values, [...c.mask.shape]).cast("bool"));
  return d.logProb(t.value!);
}

beforeAll(() => setValidation(false));
afterAll(() => setValidation(true));

onEachBackend((backend) => {
  for (const rank of [5, 6] as const) {
    for (const c of cases(rank)) {
      it(`${c.name}: logProb and its gradients at rank ${rank} match float64 finite differences (${backend})`, () => {
        const base = Object.fromEntries(Object.entries(c.args).map(([k, a]) => [k, a.values]));
        const ref = reference(c, base);
        expect(ref.rank + (c.tensorRank ? 2 : 0), "the case reaches the rank it is named for").toBe(rank);
        const w = fixed(ref.lp.length, 0.5, 1.5, 99);
        const objective = (vals: Record<string, number[]>) => reference(c, vals).lp.reduce((acc, l, i) => acc + w[i]! * l, 0);
        const names = Object.keys(c.args).filter((k) => c.args[k]!.grad);
        tf.tidy(() => {
          const consts = Object.fromEntries(
            Object.entries(c.args).map(([k, a]) => [k, tf.tensor(a.values, [...a.shape], a.dtype ?? "float32")]),
          );
          const lp = pplLogProb(c, consts);
          expect(lp.shape).toEqual(ref.shape);
          expectGradClose(lp.dataSync(), ref.lp, 2e-5, `${c.name} log p`);
          const wt = tf.tensor(w, ref.shape);
          const grads = tf.grads((...xs: tf.Tensor[]) => {
            const t = { ...consts };
            names.forEach((k, i) => (t[k] = xs[i]!));
            return pplLogProb(c, t).mul(wt).sum();
          })(names.map((k) => consts[k]!));
          names.forEach((k, i) => {
            const fd = centralDiff(base[k]!, (v) => objective({ ...base, [k]: v }));
            expectGradClose(grads[i]!.dataSync(), fd, 2e-4, `${c.name} d/d${k}`);
          });
        });
      });
    }
  }
});
