/**
 * The backward pass over elimination records, in plain JS: walk the
 * eliminations in reverse, and for every setting of the plates involved pick
 * the eliminated variable given the variables already decided (they were
 * eliminated later, so they are exactly the record's out dims). MAP reads
 * the back-pointer; sampling draws from the record's conditional. A chain
 * record decides all its variables at once: the Viterbi path, or a path
 * drawn backward from the forward filter (ppl-core's chain kernel).
 */
import { chainSample } from "ppl-core/internal";
import type { Dim } from "./factor.js";
import type { ChainRecord, EliminationRecord, PlanRecord } from "./rings.js";

/**
 * A decided variable: one value per setting of the plates it varies along (row-major), at values[offset ..]
 * (a chain's variables share one array: a 160-step decode made no array or view per site).
 */
export interface Assignment {
  readonly plates: readonly Dim[];
  readonly sizes: readonly number[];
  readonly values: Int32Array;
  readonly offset: number;
}

/** The decided variables by dim, as the backward pass and the read-out look them up. */
export type DecidedLookup = Pick<ReadonlyMap<Dim, Assignment>, "get">;

/**
 * The decided variables of one backward pass, in a table the caller may keep for its next pass: a compiled
 * decode's op does (a map of 160 sites, grown anew, and an assignment object per site were a fifth of a call's
 * garbage). Each pass starts with nothing decided: an entry another pass set reads as undecided, and a pass
 * overwrites an entry in place (an assignment it handed out is only read within its pass).
 */
export class Decisions implements DecidedLookup {
  private readonly table = new Map<Dim, { pass: number; plates: readonly Dim[]; sizes: readonly number[]; values: Int32Array; offset: number }>();
  private pass = 0;

  /** Forget every decision: a new pass begins. */
  startPass(): void {
    this.pass++;
  }

  get(d: Dim): Assignment | undefined {
    const e = this.table.get(d);
    return e !== undefined && e.pass === this.pass ? e : undefined;
  }

  set(d: Dim, plates: readonly Dim[], sizes: readonly number[], values: Int32Array, offset: number): void {
    const e = this.table.get(d);
    if (e === undefined) this.table.set(d, { pass: this.pass, plates, sizes, values, offset });
    else {
      e.pass = this.pass;
      e.plates = plates;
      e.sizes = sizes;
      e.values = values;
      e.offset = offset;
    }
  }
}

export interface Chooser {
  /** The eliminated variable's value for one setting (row-major) of the record's out dims. */
  pick(rec: EliminationRecord, outFlat: number): number;
  /** Chain member b's path, into out[offset .. offset + n). */
  path(rec: ChainRecord, b: number, out: Int32Array, offset: number): void;
}

export const chooseMax: Chooser = {
  pick: (rec, outFlat) => rec.backPointers![outFlat]!,
  path: (rec, b, out, offset) => out.set(rec.paths!.subarray(b * rec.n, (b + 1) * rec.n), offset),
};

export function sampleChooser(rng: () => number): Chooser {
  return {
    pick: samplePick(rng),
    path: (rec, b, out, offset) => (rec.draw !== undefined ? rec.draw(b, rng, out, offset) : chainSample(rec.sweep!, b, rng, out, offset)),
  };
}

function samplePick(rng: () => number): Chooser["pick"] {
  return (rec, outFlat) => {
    const n = rec.elimSize;
    const logits = rec.logits!;
    const base = outFlat * n;
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, logits[base + k]!);
    if (m === -Infinity) return 0;
    let total = 0;
    for (let k = 0; k < n; k++) total += Math.exp(logits[base + k]! - m);
    let u = rng() * total;
    for (let k = 0; k < n; k++) {
      u -= Math.exp(logits[base + k]! - m);
      if (u < 0) return k;
    }
    return n - 1;
  };
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * For every member of `plates` (row-major over `sizes`), the flat position in
 * a tensor over `dims` (strides `strides`) it reads: each dim is either one of
 * the plates (its coordinate) or a decided variable (its value there).
 */
function positionsOf(
  dims: readonly Dim[],
  strides: readonly number[],
  plates: readonly Dim[],
  sizes: readonly number[],
  decided: DecidedLookup,
): Int32Array {
  const readers = dims.map((d, k) => {
    const a = decided.get(d);
    if (a !== undefined) return { stride: strides[k]!, plateAt: -1, a, map: a.plates.map((p) => plates.indexOf(p)), aStrides: stridesOf(a.sizes) };
    const at = plates.indexOf(d);
    if (at < 0) throw new Error(`internal: dim ${d} is neither a plate nor decided`);
    return { stride: strides[k]!, plateAt: at, a, map: [] as number[], aStrides: [] as number[] };
  });
  const coordStrides = stridesOf(sizes);
  const total = sizes.reduce((x, y) => x * y, 1);
  const out = new Int32Array(total);
  const coord = new Array<number>(plates.length).fill(0);
  for (let c = 0; c < total; c++) {
    let rem = c;
    for (let i = 0; i < plates.length; i++) {
      coord[i] = Math.floor(rem / coordStrides[i]!);
      rem -= coord[i]! * coordStrides[i]!;
    }
    let flat = 0;
    for (const rd of readers) {
      let idx: number;
      if (rd.a === undefined) idx = coord[rd.plateAt]!;
      else {
        let f = 0;
        for (let i = 0; i < rd.map.length; i++) f += coord[rd.map[i]!]! * rd.aStrides[i]!;
        idx = rd.a.values[rd.a.offset + f]!;
      }
      flat += idx * rd.stride;
    }
    out[c] = flat;
  }
  return out;
}

export function backward(
  records: readonly PlanRecord[],
  plateSizes: ReadonlyMap<Dim, number>,
  choose: Chooser,
  decided: Decisions = new Decisions(),
): Decisions {
  decided.startPass();
  for (let r = records.length - 1; r >= 0; r--) {
    const rec = records[r]!;
    if (rec.kind === "chain") {
      decideChain(rec, plateSizes, decided, choose);
      continue;
    }
    // plates to iterate: the record's own, the variable's (it may be constant along some), and those its decided inputs vary along
    const plates: Dim[] = rec.outDims.filter((d) => plateSizes.has(d));
    for (const p of rec.elimPlates) if (!plates.includes(p) && plateSizes.has(p)) plates.push(p);
    for (const d of rec.outDims) {
      const a = decided.get(d);
      if (a !== undefined) for (const p of a.plates) if (!plates.includes(p)) plates.push(p);
    }
    const sizes = plates.map((p) => plateSizes.get(p)!);
    const at = positionsOf(rec.outDims, stridesOf(rec.outShape), plates, sizes, decided);
    const values = new Int32Array(at.length);
    for (let c = 0; c < at.length; c++) values[c] = choose.pick(rec, at[c]!);
    decided.set(rec.elim, plates, sizes, values, 0);
  }
  return decided;
}

/**
 * Every variable of a chain, over the plates they live in (and those of
 * the decided variables in the chain's batch): one path per member of those
 * plates, read from (MAP) or drawn for (sampling) the kernel's batch entry
 * it falls in. A plate the chain's factors lack gets the same path (MAP) or
 * independent draws (sampling) along it. Sets them in `decided`.
 */
function decideChain(rec: ChainRecord, plateSizes: ReadonlyMap<Dim, number>, decided: Decisions, choose: Chooser): void {
  const { spec, n } = rec;
  const plates = spec.elimPlates.filter((p) => plateSizes.has(p));
  for (const d of spec.batch) {
    const a = decided.get(d);
    if (a !== undefined) {
      for (const p of a.plates) if (!plates.includes(p)) plates.push(p);
    } else if (plateSizes.has(d) && !plates.includes(d)) {
      plates.push(d);
    }
  }
  const sizes = plates.map((p) => plateSizes.get(p)!);
  const at = positionsOf(spec.batch, stridesOf(spec.batchShape), plates, sizes, decided);
  const total = at.length;
  const paths = new Int32Array(total * n);
  for (let c = 0; c < total; c++) choose.path(rec, rec.B === 1 ? 0 : at[c]!, paths, c * n);
  // each output's values straight into `decided`, all in one array (a decode runs this for each of a chain's
  // sites on every call, 160 of them for a 160-step loop: no map, closure, array or view per site beside the assignment)
  let length = 0;
  for (const o of spec.outputs) length += o.time === undefined ? total : total * (n - o.step);
  const values = new Int32Array(length);
  let offset = 0;
  for (const o of spec.outputs) {
    const { stride, size } = o;
    if (o.time === undefined) {
      for (let c = 0; c < total; c++) values[offset + c] = Math.floor(paths[c * n + o.step]! / stride) % size;
      decided.set(o.dim, plates, sizes, values, offset);
      offset += total;
    } else {
      const steps = n - o.step;
      for (let c = 0; c < total; c++) for (let t = 0; t < steps; t++) values[offset + c * steps + t] = Math.floor(paths[c * n + o.step + t]! / stride) % size;
      decided.set(o.dim, [...plates, o.time], [...sizes, steps], values, offset);
      offset += total * steps;
    }
  }
}
