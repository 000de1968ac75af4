/**
 * Bernoulli's log-mass as ONE differentiable op in float64 JS. The tfjs form
 * guards 0 · log 0 with broadcasting `where`s, and wasm broadcasts those
 * through its general Tile at ~90 ns an element: for hmm.py's emissions
 * (value [T.., S, tones] against probs [H, tones]) that was half an SVI step.
 *
 *   log Bern(v | p) = v log p + (1 - v) log(1 - p), with 0 · log 0 = 0
 *   ∂/∂p = v / p - (1 - v) / (1 - p) = (v - p) / (p (1 - p))
 *   (probs are clamped to [eps, 1 - eps] first, as torch's clamp_probs: clamp-probs.ts;
 *   ∂/∂p is 0 where the clamp bites)
 *   (logits l: v·logσ(l) + (1-v)·logσ(-l), ∂/∂l = v - σ(l))
 *
 * Both passes read the tensors in place and write their results straight
 * into the new tensors (kernel-io.ts), and the broadcast rows are worked out
 * once per op (a compiled loss replays the op every step), so a step
 * allocates nothing output-sized in JS.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type BroadcastRows, broadcastRows, rowsMemo } from "./broadcast-index.js";
import { RunSums } from "./bernoulli-run-sums.js";
import { type Kind, type Tables, gradientTables, logSigmoid, tables } from "./bernoulli-tables.js";
import { clampProbNumber } from "./clamp-probs.js";
import {
  type FusableOp, type Fusion, type GatherSpec, type MaskSpec, type OpFunction, type StackSpec, type SumSpec, customGradient,
} from "./custom-grad.js";
import { type KernelValues, copyInto, float64Sums, writeTensor, zerosTensor } from "./kernel-io.js";
import { broadcastShapes } from "./tensor.js";

/**
 * log Bern(value | param), broadcast to `outShape` (default: the inputs' broadcast shape; a larger one is
 * an expanded distribution's target, written at once instead of copied); `param` is probs or logits. The
 * value gets no gradient (it is discrete).
 */
export function bernoulliLogProb(value: tf.Tensor, param: tf.Tensor, kind: Kind, outShape?: readonly number[]): tf.Tensor {
  const out = outShape === undefined ? broadcastShapes([value.shape, param.shape]) : [...outShape];
  const spec: OpSpec = { out, kind, valueShape: value.shape, paramShape: param.shape, gather: undefined, mask: undefined, sum: undefined };
  const op = customGradient<[tf.Tensor, tf.Tensor]>(bernoulliFunction(spec), fusions(spec));
  return op(value.dtype === "float32" ? value : value.cast("float32"), param);
}

/**
 * What one Bernoulli op computes: the log-mass of `valueShape` values against a parameter of `paramShape`
 * broadcast to `out`; the parameter read through a gather's index (a compiled loss's fusion with the gather
 * that made it: the tables are built on the gather's table, two logs per entry, and each value reads its
 * entry through the index); zeroed where a mask is false (a fusion with maskedLogProb: the masked runs are
 * skipped, and the mask's copy of every value and of every gradient goes); summed over its trailing axes
 * when they are each run of the output (a fusion with the contraction's plate sum, `sum`: a value per run
 * is written instead of one per element, and the gradient reads one dy per run instead of a broadcast copy).
 */
interface OpSpec {
  readonly out: readonly number[];
  readonly kind: Kind;
  readonly valueShape: readonly number[];
  readonly paramShape: readonly number[];
  readonly gather: GatherSpec | undefined;
  readonly mask: MaskSpec | undefined;
  readonly sum: SumSpec | undefined;
}

/**
 * The fusions an op of `spec` can make (custom-grad.ts, jit/fuse.ts): a gather first, then a mask, then a sum; an
 * op with its sum fused is a kernel that can share an op with a chain's other steps' (jit/stack-ops.ts).
 */
function fusions(spec: OpSpec): Fusion {
  if (spec.sum !== undefined) return { stack: sumsKernel(spec, spec.sum) };
  return {
    throughGather: spec.gather === undefined && spec.mask === undefined
      ? { input: 1, fused: (gather) => fusable({ ...spec, paramShape: gather.shape, gather }) }
      : undefined,
    withMask: spec.mask === undefined
      ? (mask) => {
        const masked: OpSpec = { ...spec, out: mask.out, mask };
        // only the table forms, under a mask constant along each run of the output (a time step's, a sequence's)
        const rows = broadcastRows(mask.out, [spec.valueShape, spec.paramShape, mask.shape]);
        return perParam(masked, rows) && rows.step[2] === 0 ? fusable(masked) : undefined;
      }
      : undefined,
    withSum: (sum) => {
      // only the table forms, summed over exactly each run of the output: the sum's trailing axes (of the
      // output or of a reshape of it: the same order of elements) hold as many elements as a run
      const shapes = [spec.valueShape, spec.paramShape, ...(spec.mask === undefined ? [] : [spec.mask.shape])];
      const rows = broadcastRows(spec.out, shapes);
      const r = sum.shape.length;
      const trailing = [...sum.axes].sort((a, b) => a - b).every((a, i, all) => a === r - all.length + i);
      const run = sum.axes.reduce((n, a) => n * sum.shape[a]!, 1);
      const fits = sizeOf(sum.shape) === sizeOf(spec.out) && trailing && run === rows.inner && perParam(spec, rows);
      return fits ? fusable({ ...spec, sum }) : undefined;
    },
  };
}

function fusable(spec: OpSpec): FusableOp {
  return { f: bernoulliFunction(spec), fusion: fusions(spec) };
}

/**
 * A table per parameter pays when the parameter is broadcast over values (an emission's probs over
 * sequences and steps) or gathered from a table; read about once each, the per-value form takes one log
 * per value where the tables take two per parameter.
 */
function perParam(spec: OpSpec, rows: BroadcastRows): boolean {
  return spec.gather !== undefined || 2 * sizeOf(spec.paramShape) <= rows.rows * rows.inner;
}

/**
 * The op with a sum fused as a kernel (custom-grad.ts StackSpec), with run sums of its own: its inputs are the
 * value, the parameter (or the gather's table) and, fused with one, the mask; its value is one sum per run.
 */
function sumsKernel(spec: OpSpec, sum: SumSpec): StackSpec {
  const { kind, gather, mask } = spec;
  const maskShapes = mask === undefined ? [] : [mask.shape];
  const rows = broadcastRows(spec.out, [spec.valueShape, spec.paramShape, ...maskShapes]);
  const inputShapes = [spec.valueShape, gather === undefined ? spec.paramShape : [gather.size], ...maskShapes];
  const runSums = new RunSums(gather === undefined ? null : gather.flat, sizeOf(spec.paramShape));
  return {
    kind: `bernoulli-${kind}-sums`,
    inputShapes,
    shape: sum.shape.filter((_, i) => !sum.axes.includes(i)),
    differentiable: inputShapes.map((_, i) => i === 1),
    forward: ([vs, ps, ms], lp) => runSums.sums(vs!, tables(ps!, kind), rows, ms ?? null, lp),
    backward: (call, [vs, ps, ms], dy, [, g]) => {
      runSums.gradient(call, vs!, gradientTables(ps!, kind), rows, ms ?? null, dy, g!);
    },
  };
}

/** The op's function: its inputs are the value, the parameter (or the gather's table) and, fused with one, the mask. */
function bernoulliFunction(spec: OpSpec): OpFunction<tf.Tensor[]> {
  const { out, kind, gather, mask, sum } = spec;
  const rowsOf = rowsMemo();
  const entry = gather === undefined ? null : gather.flat;
  // the parameter's positions as the rows read them (the gathered shape through a gather)
  const paramSize = sizeOf(spec.paramShape);
  // with a sum fused, the value is one per run of `out`: the sum's output shape
  const written = sum === undefined ? out : sum.shape.filter((_, i) => !sum.axes.includes(i));
  // a fused sum's op belongs to one compiled program: it keeps what it works out once (bernoulli-run-sums.ts)
  const runSums = sum === undefined ? undefined : new RunSums(entry, paramSize);
  return (inputs, save) => {
    save(inputs);
    const [v, p] = inputs as [tf.Tensor, tf.Tensor];
    const shapes = inputs.map((t) => t.shape);
    shapes[1] = [...spec.paramShape];
    const rows = rowsOf(out, shapes);
    const tablesForm = perParam(spec, rows);
    const [valueShape, paramShape] = [v.shape, p.shape];
    // the forward call's number, for its gradient (the run sums' nonzero values are found once a call)
    let call = 0;
    return {
      value: writeTensor(written, inputs, (lp, [vs, ps, ms]) => {
        if (runSums !== undefined) call = runSums.sums(vs!, tables(ps!, kind), rows, ms ?? null, lp);
        else if (tablesForm) logMass(vs!, tables(ps!, kind), entry, rows, ms ?? null, lp);
        else if (kind === "probs") logMassOfProbs(vs!, ps!, rows, lp, isBinary(vs!));
        else logMassOfLogits(vs!, ps!, rows, lp);
      }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads = [
          zerosTensor(valueShape),
          writeTensor(paramShape, [...saved, dy], (g, views) => {
            const [vs, ps] = views as [KernelValues, KernelValues];
            const dys = views[views.length - 1]!;
            const ms = mask === undefined ? null : views[2]!;
            const acc = float64Sums(g.length);
            if (runSums !== undefined) runSums.gradient(call, vs, gradientTables(ps, kind), rows, ms, dys, acc);
            else if (tablesForm) logMassGradient(vs, gradientTables(ps, kind), entry, rows, ms, dys, acc);
            else if (kind === "probs") probsGradient(vs, ps, rows, dys, acc);
            else logitsGradient(vs, ps, rows, dys, acc);
            copyInto(g, acc);
          }),
        ];
        if (mask !== undefined) grads.push(zerosTensor(mask.shape));
        return grads;
      },
    };
  };
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why). The
// values are mostly 0 and 1 in no order, so the loops take no branch on them: a mispredicted branch per
// element cost more than the arithmetic.

/** Whether every value is exactly 0 or 1 (then one log per value gives the log-mass). */
function isBinary(v: KernelValues): boolean {
  let ok = true;
  for (let i = 0; i < v.length && ok; i++) ok = v[i] === 0 || v[i] === 1;
  return ok;
}

/**
 * Each value's log-mass from its parameter's tables; `entry` maps a parameter position to its table entry
 * (null: itself); where `mask` (the rows' third input, constant along each run) is false the run is 0 and
 * is not computed.
 */
function logMass(v: KernelValues, t: Tables, entry: ArrayLike<number> | null, rows: BroadcastRows, mask: KernelValues | null, lp: Float32Array): Float32Array {
  const bm = mask === null ? null : rows.base[2]!;
  return entry === null ? logMassDirect(v, t, rows, mask, bm, lp) : logMassThrough(v, t, entry, rows, mask, bm, lp);
}

function logMassDirect(
  v: KernelValues, { at0, rise }: Tables, { rows, inner, base, step }: BroadcastRows, m: KernelValues | null, bm: Int32Array | null, lp: Float32Array,
): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    if (m !== null && m[bm![r]!] === 0) {
      lp.fill(0, o, o + inner);
      o += inner;
      continue;
    }
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) lp[o] = at0[ip]! + v[iv]! * rise[ip]!;
  }
  return lp;
}

function logMassThrough(
  v: KernelValues, { at0, rise }: Tables, entry: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows,
  m: KernelValues | null, bm: Int32Array | null, lp: Float32Array,
): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    if (m !== null && m[bm![r]!] === 0) {
      lp.fill(0, o, o + inner);
      o += inner;
      continue;
    }
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const e = entry[ip]!;
      lp[o] = at0[e]! + v[iv]! * rise[e]!;
    }
  }
  return lp;
}

/** Σ dy · d(log-mass)/d(entry) onto each table entry, in float64; masked runs add nothing. */
function logMassGradient(
  v: KernelValues, t: Tables, entry: ArrayLike<number> | null, rows: BroadcastRows, mask: KernelValues | null, dy: KernelValues, g: Float64Array,
): Float64Array {
  const bm = mask === null ? null : rows.base[2]!;
  return entry === null ? gradientDirect(v, t, rows, mask, bm, dy, g) : gradientThrough(v, t, entry, rows, mask, bm, dy, g);
}

function gradientDirect(
  v: KernelValues, { at0, rise }: Tables, { rows, inner, base, step }: BroadcastRows, m: KernelValues | null, bm: Int32Array | null,
  dy: KernelValues, g: Float64Array,
): Float64Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    if (m !== null && m[bm![r]!] === 0) {
      o += inner;
      continue;
    }
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) g[ip]! += dy[o]! * (at0[ip]! + v[iv]! * rise[ip]!);
  }
  return g;
}

function gradientThrough(
  v: KernelValues, { at0, rise }: Tables, entry: ArrayLike<number>, { rows, inner, base, step }: BroadcastRows,
  m: KernelValues | null, bm: Int32Array | null, dy: KernelValues, g: Float64Array,
): Float64Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    if (m !== null && m[bm![r]!] === 0) {
      o += inner;
      continue;
    }
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const e = entry[ip]!;
      g[e]! += dy[o]! * (at0[e]! + v[iv]! * rise[e]!);
    }
  }
  return g;
}

/**
 * The per-value form in probs, c = clamp(p): for a value of 0 or 1 the
 * log of c or 1 - c chosen arithmetically (v c + (1 - v)(1 - c) is exactly
 * one of them), else both logs mixed.
 */
function logMassOfProbs(v: KernelValues, p: KernelValues, { rows, inner, base, step }: BroadcastRows, lp: Float32Array, binary: boolean): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const q = clampProbNumber(p[ip]!);
      lp[o] = binary ? Math.log(x * q + (1 - x) * (1 - q)) : x * Math.log(q) + (1 - x) * Math.log1p(-q);
    }
  }
  return lp;
}

/** The per-value form in logits: log σ(l) or log σ(-l), their mix between. */
function logMassOfLogits(v: KernelValues, p: KernelValues, { rows, inner, base, step }: BroadcastRows, lp: Float32Array): Float32Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const x = v[iv]!;
      const l = p[ip]!;
      lp[o] = x * logSigmoid(l) + (1 - x) * logSigmoid(-l);
    }
  }
  return lp;
}

/** ∂/∂p per value: (v - c) / (c (1 - c)); 0 where the clamp bites. */
function probsGradient(v: KernelValues, p: KernelValues, { rows, inner, base, step }: BroadcastRows, dy: KernelValues, g: Float64Array): Float64Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      const a = p[ip]!;
      const q = clampProbNumber(a);
      g[ip]! += q === a ? (dy[o]! * (v[iv]! - q)) / (q * (1 - q)) : 0;
    }
  }
  return g;
}

/** ∂/∂l per value: v - σ(l). */
function logitsGradient(v: KernelValues, p: KernelValues, { rows, inner, base, step }: BroadcastRows, dy: KernelValues, g: Float64Array): Float64Array {
  const [bv, bp] = base as [Int32Array, Int32Array];
  const [sv, sp] = step as [number, number];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0, iv = bv[r]!, ip = bp[r]!; c < inner; c++, o++, iv += sv, ip += sp) {
      g[ip]! += dy[o]! * (v[iv]! - 1 / (1 + Math.exp(-p[ip]!)));
    }
  }
  return g;
}
