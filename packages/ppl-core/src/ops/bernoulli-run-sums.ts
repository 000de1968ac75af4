/**
 * Bernoulli's log-mass summed over each run of its output: the form a compiled loss makes when it fuses the
 * contraction's plate sum into the op (jit/fuse.ts; hmm.py's emissions summed over the tones). Run r of
 * `inner` elements reads the parameter entries e_r(c) (through a gather's index when the op reads a table)
 * and the values v_rc:
 *
 *   out[r] = Σ_c at0[e_r(c)] + Σ_{c: v_rc ≠ 0} v_rc · rise[e_r(c)]     (bernoulli-tables.ts)
 *
 * Most of an emission's values are 0 (the tones are off), so the second sum runs over each row's nonzero
 * values only. The first one is shared: rows read the same entries (a parameter broadcast over sequences
 * and steps), or nearly (model_2's probs_y[x, y_prev, tones] gathered per sequence: rows of one x differ
 * where y_prev is on). Each row's entries are taken as a reference run's plus the few columns where they
 * differ, so its Σ at0 costs those columns, and the reference runs' sums are taken once per call.
 *
 * One instance belongs to one fused op (made per compiled program, never per interpreted call), and holds
 * what it works out once: the reference runs for the op's rows (its entries are fixed), and the nonzero
 * values its last forward call found, which that call's gradient reads again.
 */
import type { BroadcastRows } from "./broadcast-index.js";
import type { Tables } from "./bernoulli-tables.js";
import type { KernelValues } from "./kernel-io.js";

export class RunSums {
  private reference: ReferenceRuns | undefined;
  private nonzero: NonzeroRuns = { first: new Int32Array(0), last: new Int32Array(0), cols: new Int32Array(0), vals: new Float64Array(0) };
  /** The forward call whose values `nonzero` holds (0: none), and the count of forward calls. */
  private nonzeroOf = 0;
  private calls = 0;

  /** `entry` maps a parameter position to its table entry (null: itself); `paramSize` is the positions' count. */
  constructor(private readonly entry: ArrayLike<number> | null, private readonly paramSize: number) {}

  /** The run sums of `v` into `out` (0 for a masked run); gives the call's number, for its gradient. */
  sums(v: KernelValues, t: Tables, rows: BroadcastRows, mask: KernelValues | null, out: Float32Array): number {
    const call = ++this.calls;
    this.nonzero = nonzeroRuns(v, rows, this.nonzero);
    this.nonzeroOf = call;
    const ref = this.referenceRuns(rows);
    referenceSums(t.at0, ref, rows.inner);
    runSums(t, this.entry, ref, rows, mask, this.nonzero, out);
    return call;
  }

  /**
   * Σ dy · d(run sum)/d(entry) onto each table entry (`t`: the derivative tables), in float64; masked runs
   * add nothing. `call` is the forward call's number: its nonzero values are reused unless another forward
   * call of this op ran since (a loss replayed twice on one tape), then they are found again.
   */
  gradient(call: number, v: KernelValues, t: Tables, rows: BroadcastRows, mask: KernelValues | null, dy: KernelValues, g: Float64Array): Float64Array {
    if (call !== this.nonzeroOf) {
      this.nonzero = nonzeroRuns(v, rows, this.nonzero);
      this.nonzeroOf = 0;
    }
    const ref = this.referenceRuns(rows);
    rowsGradient(t, this.entry, ref, rows, mask, this.nonzero, dy, g);
    return referenceGradient(t.at0, ref, rows.inner, g);
  }

  private referenceRuns(rows: BroadcastRows): ReferenceRuns {
    if (this.reference?.rows !== rows) this.reference = referenceRunsOf(this.entry, rows, this.paramSize);
    return this.reference;
  }
}

/**
 * Each row's entries as a reference run's and the columns where they differ. A row joins the reference run
 * of an earlier row reading the same parameter run (the same entries), else of the row before it when they
 * differ in at most half the columns, else starts one; a reference run is, per column, the entry most of its
 * rows read (a majority vote), so a row's differences are about its own departures from the common run.
 */
interface ReferenceRuns {
  /** The rows they were made for (an op's rowsMemo keeps one object per shapes). */
  readonly rows: BroadcastRows;
  readonly runOf: Int32Array;
  /** The reference runs' entries, `inner` a run. */
  readonly runs: Int32Array;
  /** Row r's differences are at diffStart[r] ..< diffStart[r + 1]: the column and the row's entry there. */
  readonly diffStart: Int32Array;
  readonly diffCol: Int32Array;
  readonly diffEntry: Int32Array;
  /** Per reference run, its Σ at0 in a forward call, its rows' total dy in a gradient call. */
  readonly perRun: Float64Array;
}

function referenceRunsOf(entry: ArrayLike<number> | null, rows: BroadcastRows, paramSize: number): ReferenceRuns {
  const { rows: n, inner, base, step } = rows;
  const bp = base[1]!;
  const sp = step[1]!;
  const at = (r: number, c: number): number => (entry === null ? bp[r]! + c * sp : entry[bp[r]! + c * sp]!);
  const runOf = new Int32Array(n);
  const runOfBase = new Int32Array(paramSize).fill(-1);
  let count = 0;
  for (let r = 0; r < n; r++) {
    const b = bp[r]!;
    if (runOfBase[b] !== -1) runOf[r] = runOfBase[b]!;
    else {
      let differ = 0;
      for (let c = 0; r > 0 && c < inner; c++) if (at(r, c) !== at(r - 1, c)) differ++;
      runOf[r] = r > 0 && 2 * differ <= inner ? runOf[r - 1]! : count++;
      runOfBase[b] = runOf[r]!;
    }
  }
  // per run and column, the majority entry (Boyer–Moore: the candidate that survives pairing off the others)
  const runs = new Int32Array(count * inner);
  const votes = new Int32Array(count * inner);
  for (let r = 0; r < n; r++) {
    for (let c = 0, k = runOf[r]! * inner; c < inner; c++, k++) {
      const e = at(r, c);
      if (votes[k] === 0) [runs[k], votes[k]] = [e, 1];
      else votes[k]! += runs[k] === e ? 1 : -1;
    }
  }
  const diffStart = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    let differ = 0;
    for (let c = 0, k = runOf[r]! * inner; c < inner; c++, k++) if (at(r, c) !== runs[k]) differ++;
    diffStart[r + 1] = diffStart[r]! + differ;
  }
  const diffCol = new Int32Array(diffStart[n]!);
  const diffEntry = new Int32Array(diffStart[n]!);
  for (let r = 0, d = 0; r < n; r++) {
    for (let c = 0, k = runOf[r]! * inner; c < inner; c++, k++) {
      const e = at(r, c);
      if (e !== runs[k]) [diffCol[d], diffEntry[d++]] = [c, e];
    }
  }
  return { rows, runOf, runs, diffStart, diffCol, diffEntry, perRun: new Float64Array(count) };
}

// Loops in module-level functions ending in a return of a local (see normal-logprob.ts for why).

/** Each reference run's Σ at0, into `perRun`. */
function referenceSums(at0: Float64Array, { runs, perRun }: ReferenceRuns, inner: number): Float64Array {
  for (let u = 0, k = 0; u < perRun.length; u++) {
    let acc = 0;
    for (let c = 0; c < inner; c++, k++) acc += at0[runs[k]!]!;
    perRun[u] = acc;
  }
  return perRun;
}

function runSums(
  { at0, rise }: Tables, entry: ArrayLike<number> | null, { runOf, runs, diffStart, diffCol, diffEntry, perRun }: ReferenceRuns,
  { rows, inner, base, step }: BroadcastRows, m: KernelValues | null, { first, last, cols, vals }: NonzeroRuns, out: Float32Array,
): Float32Array {
  const bp = base[1]!;
  const sp = step[1]!;
  const bm = m === null ? null : base[2]!;
  for (let r = 0; r < rows; r++) {
    if (m !== null && m[bm![r]!] === 0) {
      out[r] = 0;
      continue;
    }
    const u = runOf[r]!;
    let acc = perRun[u]!;
    for (let d = diffStart[r]!, end = diffStart[r + 1]!, k0 = u * inner; d < end; d++) acc += at0[diffEntry[d]!]! - at0[runs[k0 + diffCol[d]!]!]!;
    const b = bp[r]!;
    for (let k = first[r]!, end = last[r]!; k < end; k++) {
      const ip = b + cols[k]! * sp;
      acc += vals[k]! * rise[entry === null ? ip : entry[ip]!]!;
    }
    out[r] = acc;
  }
  return out;
}

/** Each row's own part of the gradient (its differences from its reference run, its nonzero values); its dy onto its run's total. */
function rowsGradient(
  { at0, rise }: Tables, entry: ArrayLike<number> | null, { runOf, runs, diffStart, diffCol, diffEntry, perRun }: ReferenceRuns,
  { rows, inner, base, step }: BroadcastRows, m: KernelValues | null, { first, last, cols, vals }: NonzeroRuns, dy: KernelValues, g: Float64Array,
): Float64Array {
  const bp = base[1]!;
  const sp = step[1]!;
  const bm = m === null ? null : base[2]!;
  perRun.fill(0);
  for (let r = 0; r < rows; r++) {
    const d = dy[r]!;
    if (d === 0 || (m !== null && m[bm![r]!] === 0)) continue;
    const u = runOf[r]!;
    perRun[u]! += d;
    for (let i = diffStart[r]!, end = diffStart[r + 1]!, k0 = u * inner; i < end; i++) {
      const e = diffEntry[i]!;
      const e0 = runs[k0 + diffCol[i]!]!;
      g[e]! += d * at0[e]!;
      g[e0]! -= d * at0[e0]!;
    }
    const b = bp[r]!;
    for (let k = first[r]!, end = last[r]!; k < end; k++) {
      const ip = b + cols[k]! * sp;
      const e = entry === null ? ip : entry[ip]!;
      g[e]! += d * vals[k]! * rise[e]!;
    }
  }
  return g;
}

/** Each reference run's total dy times its at0s. */
function referenceGradient(at0: Float64Array, { runs, perRun }: ReferenceRuns, inner: number, g: Float64Array): Float64Array {
  for (let u = 0; u < perRun.length; u++) {
    const w = perRun[u]!;
    if (w === 0) continue;
    for (let c = 0, k = u * inner; c < inner; c++, k++) g[runs[k]!]! += w * at0[runs[k]!]!;
  }
  return g;
}

/** Each row's nonzero values: positions along its run and the values, rows reading the same value run sharing them. */
interface NonzeroRuns {
  first: Int32Array;
  last: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/** The nonzero runs of `v`, in `into`'s arrays (grown when too small). */
function nonzeroRuns(v: KernelValues, { rows, inner, base, step }: BroadcastRows, into: NonzeroRuns): NonzeroRuns {
  const bv = base[0]!;
  const sv = step[0]!;
  if (rowOf.length < v.length) [rowOf, rowCall] = [new Int32Array(Math.max(v.length, 2 * rowOf.length)), new Int32Array(Math.max(v.length, 2 * rowOf.length))];
  const seen = rowOf;
  const call = ++calls;
  // the nonzeros of the distinct value runs, counted first so the lists are grown once
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const b = bv[r]!;
    if (rowCall[b] === call) continue;
    rowCall[b] = call;
    seen[b] = r;
    for (let c = 0, iv = b; c < inner; c++, iv += sv) if (v[iv] !== 0) n++;
  }
  const nz = {
    first: into.first.length < rows ? new Int32Array(rows) : into.first,
    last: into.last.length < rows ? new Int32Array(rows) : into.last,
    cols: into.cols.length < n ? new Int32Array(n) : into.cols,
    vals: into.vals.length < n ? new Float64Array(n) : into.vals,
  };
  return fillRuns(v, rows, inner, bv, sv, seen, nz);
}

function fillRuns(v: KernelValues, rows: number, inner: number, bv: Int32Array, sv: number, seen: Int32Array, nz: NonzeroRuns): NonzeroRuns {
  const { first, last, cols, vals } = nz;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const b = bv[r]!;
    const s = seen[b]!;
    if (s < r) {
      first[r] = first[s]!;
      last[r] = last[s]!;
      continue;
    }
    first[r] = k;
    for (let c = 0, iv = b; c < inner; c++, iv += sv) {
      const x = v[iv]!;
      if (x !== 0) {
        cols[k] = c;
        vals[k] = x;
        k++;
      }
    }
    last[r] = k;
  }
  return nz;
}

// scratch of nonzeroRuns (nothing outlives a call): the first row reading each value run, and which call
// last set it (a counter, so nothing is cleared between calls)
let calls = 0;
let rowOf = new Int32Array(0);
let rowCall = new Int32Array(0);
