/**
 * The float64 oracle for the contraction tests, in plain JS, written apart
 * from ppl's plan: Pyro's naive_ubersum idea. A plated problem is unrolled
 * (every variable copied once per index of the plates it lives in, every
 * factor copied once per index of its plates), and the unrolled problem,
 * which has no plates left, is summed (or maximised) by plain variable
 * elimination, or by brute force over every assignment when small.
 */

/** A log-space factor over flat variables, row-major over `vars`. */
export interface FlatFactor {
  readonly vars: readonly number[];
  readonly values: Float64Array;
}

export interface FlatProblem {
  /** Size of each flat variable. */
  readonly sizes: readonly number[];
  readonly factors: readonly FlatFactor[];
}

export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]!);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

function stridesOf(sizes: readonly number[]): number[] {
  const s = new Array<number>(sizes.length);
  let acc = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= sizes[i]!;
  }
  return s;
}

/** Σ of the factors at one full assignment. */
export function evaluate(p: FlatProblem, assignment: ArrayLike<number>): number {
  let total = 0;
  for (const f of p.factors) {
    const st = stridesOf(f.vars.map((v) => p.sizes[v]!));
    let idx = 0;
    f.vars.forEach((v, i) => (idx += assignment[v]! * st[i]!));
    total += f.values[idx]!;
  }
  return total;
}

interface Record {
  readonly elim: number;
  readonly outVars: readonly number[];
  readonly best: Int32Array;
}

/** Combine the factors over their joint vars (out vars then `elim`) and reduce `elim` by log-sum-exp or max. */
function combine(sizes: readonly number[], fs: readonly FlatFactor[], elim: number, mode: "sum" | "max"): { out: FlatFactor; rec: Record } {
  const outVars = [...new Set(fs.flatMap((f) => f.vars))].filter((v) => v !== elim).sort((a, b) => a - b);
  const joint = [...outVars, elim];
  const jointSizes = joint.map((v) => sizes[v]!);
  const K = sizes[elim]!;
  const outSize = jointSizes.slice(0, -1).reduce((a, b) => a * b, 1);
  // per factor, its stride along each joint position (0 where it lacks the var)
  const fStrides = fs.map((f) => {
    const st = stridesOf(f.vars.map((v) => sizes[v]!));
    return joint.map((v) => {
      const at = f.vars.indexOf(v);
      return at < 0 ? 0 : st[at]!;
    });
  });
  const values = new Float64Array(outSize);
  const best = new Int32Array(outSize);
  const coord = new Array<number>(joint.length).fill(0);
  const slice = new Float64Array(K);
  for (let o = 0; o < outSize; o++) {
    let rem = o;
    for (let i = outVars.length - 1; i >= 0; i--) {
      coord[i] = rem % jointSizes[i]!;
      rem = Math.floor(rem / jointSizes[i]!);
    }
    for (let k = 0; k < K; k++) {
      coord[joint.length - 1] = k;
      let s = 0;
      fs.forEach((f, fi) => {
        let idx = 0;
        const st = fStrides[fi]!;
        for (let i = 0; i < joint.length; i++) idx += coord[i]! * st[i]!;
        s += f.values[idx]!;
      });
      slice[k] = s;
    }
    if (mode === "sum") values[o] = logSumExp(slice);
    else {
      let b = 0;
      for (let k = 1; k < K; k++) if (slice[k]! > slice[b]!) b = k;
      best[o] = b;
      values[o] = slice[b]!;
    }
  }
  return { out: { vars: outVars, values }, rec: { elim, outVars, best } };
}

/** Variable elimination, smallest resulting factor first. */
function eliminateAll(p: FlatProblem, mode: "sum" | "max"): { value: number; records: Record[] } {
  let working = [...p.factors];
  const remaining = new Set(working.flatMap((f) => f.vars));
  const records: Record[] = [];
  while (remaining.size > 0) {
    let bestVar = -1;
    let bestSize = Infinity;
    for (const v of remaining) {
      const union = new Set(working.filter((f) => f.vars.includes(v)).flatMap((f) => f.vars));
      let size = 1;
      for (const u of union) if (u !== v) size *= p.sizes[u]!;
      if (size < bestSize) [bestVar, bestSize] = [v, size];
    }
    remaining.delete(bestVar);
    const touching = working.filter((f) => f.vars.includes(bestVar));
    const { out, rec } = combine(p.sizes, touching, bestVar, mode);
    records.push(rec);
    working = working.filter((f) => !touching.includes(f));
    working.push(out);
  }
  let value = 0;
  for (const f of working) value += f.values[0]!;
  return { value, records };
}

/** log Σ over all assignments of exp(Σ factors). */
export function logZ(p: FlatProblem): number {
  return eliminateAll(p, "sum").value;
}

/** The maximum of Σ factors and one assignment attaining it (variables in no factor get 0). */
export function maxAssignment(p: FlatProblem): { value: number; assignment: Int32Array } {
  const { value, records } = eliminateAll(p, "max");
  const assignment = new Int32Array(p.sizes.length);
  for (let r = records.length - 1; r >= 0; r--) {
    const rec = records[r]!;
    const st = stridesOf(rec.outVars.map((v) => p.sizes[v]!));
    let o = 0;
    rec.outVars.forEach((v, i) => (o += assignment[v]! * st[i]!));
    assignment[rec.elim] = rec.best[o]!;
  }
  return { value, assignment };
}

/** The problem with some variables fixed (their factors sliced); the fixed variables then appear in no factor. */
export function clamp(p: FlatProblem, fixed: ReadonlyMap<number, number>): FlatProblem {
  const factors = p.factors.map((f) => {
    if (!f.vars.some((v) => fixed.has(v))) return f;
    const keep = f.vars.filter((v) => !fixed.has(v));
    const st = stridesOf(f.vars.map((v) => p.sizes[v]!));
    const keepSizes = keep.map((v) => p.sizes[v]!);
    const n = keepSizes.reduce((a, b) => a * b, 1);
    const values = new Float64Array(n);
    for (let o = 0; o < n; o++) {
      let rem = o;
      let idx = 0;
      for (let i = keep.length - 1; i >= 0; i--) {
        const c = rem % keepSizes[i]!;
        rem = Math.floor(rem / keepSizes[i]!);
        idx += c * st[f.vars.indexOf(keep[i]!)]!;
      }
      for (const [v, val] of fixed) {
        const at = f.vars.indexOf(v);
        if (at >= 0) idx += val * st[at]!;
      }
      values[o] = f.values[idx]!;
    }
    return { vars: keep, values };
  });
  return { sizes: p.sizes, factors };
}

/** Posterior probability that each listed variable takes each value jointly (row-major over `vars`). */
export function jointMarginal(p: FlatProblem, vars: readonly number[], total = logZ(p)): Float64Array {
  const sizes = vars.map((v) => p.sizes[v]!);
  const n = sizes.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    let rem = o;
    const fixed = new Map<number, number>();
    for (let i = vars.length - 1; i >= 0; i--) {
      fixed.set(vars[i]!, rem % sizes[i]!);
      rem = Math.floor(rem / sizes[i]!);
    }
    out[o] = Math.exp(logZ(clamp(p, fixed)) - total);
  }
  return out;
}

/** Every assignment's Σ factors, row-major over all flat variables (for small problems only). */
export function bruteForceTable(p: FlatProblem): Float64Array {
  const n = p.sizes.reduce((a, b) => a * b, 1);
  if (n > 1 << 16) throw new Error(`oracle: ${n} assignments is too many for brute force`);
  const out = new Float64Array(n);
  const a = new Int32Array(p.sizes.length);
  for (let c = 0; c < n; c++) {
    let rem = c;
    for (let i = p.sizes.length - 1; i >= 0; i--) {
      a[i] = rem % p.sizes[i]!;
      rem = Math.floor(rem / p.sizes[i]!);
    }
    out[c] = evaluate(p, a);
  }
  return out;
}
