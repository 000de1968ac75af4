/**
 * Where each enumerated site's decoded value goes: one int32 position in its
 * enumerated support per member of its plates (full plate sizes), all sites
 * packed in one index array, and the support rows those positions pick. The
 * layout is structure only (plates, shapes) plus each support's values, read
 * when the layout is made: a compiled decode (jit-infer-discrete.ts) keeps it
 * with its program, and the recorder guards that read as it guards any.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SampleSite, Trace } from "ppl-core";
import type { DecidedLookup } from "../contract/backward.js";
import type { Dim } from "../contract/factor.js";
import { plateDim, timeDim, varDim, vectorizedFrames } from "../terms/dims.js";

/** One enumerated site's part of the packed index array, and its support. */
export interface DecodedSlot {
  readonly site: string;
  /** The site's enumerated variable (the backward pass's name for it). */
  readonly variable: Dim;
  /** The site's plate shape (full sizes, 1 where it has no plate), its row-major strides, and the axis each of its plates is. */
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly axisOf: ReadonlyMap<Dim, number>;
  /** Where its indices start in the packed array, and how many (the shape's size). */
  readonly offset: number;
  readonly size: number;
  /** The enumerated support, row-major [K, ...event]. */
  readonly support: tf.TypedArray;
  readonly dtype: tf.DataType;
  readonly eventShape: readonly number[];
  /** The decoded value's shape (plates ++ event), a key of it with the dtype, and how many support elements a position picks (the event's size). */
  readonly valueShape: readonly number[];
  readonly valueKey: string;
  readonly eventSize: number;
}

/** The slots of a trace's parallel-enumerated sites, in trace order. */
export function decodedSlots(tr: Trace): DecodedSlot[] {
  const slots: DecodedSlot[] = [];
  const supports = new Map<tf.Tensor, tf.TypedArray>();
  let offset = 0;
  for (const site of tr.latentSites()) {
    if (site.enumInfo?.kind !== "parallel") continue;
    const slot = slotOf(site, varDim(site.enumInfo.variable.id), offset, supports);
    slots.push(slot);
    offset += slot.size;
  }
  return slots;
}

function slotOf(site: SampleSite, variable: Dim, offset: number, supports: Map<tf.Tensor, tf.TypedArray>): DecodedSlot {
  const frames = vectorizedFrames(site);
  const batchRank = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(batchRank).fill(1);
  const axisOf = new Map<Dim, number>();
  for (const f of frames) {
    shape[batchRank + f.dim] = f.subsampleSize;
    axisOf.set(f.time === true ? timeDim(f.name) : plateDim(f.name), batchRank + f.dim);
  }
  let support = supports.get(site.value);
  if (support === undefined) supports.set(site.value, (support = site.value.dataSync() as tf.TypedArray));
  const eventShape = site.fn.eventShape;
  const valueShape = [...shape, ...eventShape];
  return {
    site: site.name, variable, shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1)), axisOf, offset,
    size: shape.reduce((x, y) => x * y, 1), support, dtype: site.value.dtype, eventShape,
    valueShape, valueKey: `${site.value.dtype}[${valueShape.join(",")}]`, eventSize: eventShape.reduce((x, y) => x * y, 1),
  };
}

/**
 * The decided variables as support positions, packed slot after slot (a variable nothing decided stays at 0).
 * A decode runs this for every site on every call (160 sites for a 160-step chain): it allocates nothing, and
 * a site's last axis (a time-vectorised site's 1 439 steps) is one run of a constant stride in the assignment.
 */
export function writeIndices(slots: readonly DecodedSlot[], decided: DecidedLookup, out: Int32Array): void {
  for (const slot of slots) {
    const a = decided.get(slot.variable);
    if (a === undefined) continue;
    const { shape, strides } = slot;
    const rank = shape.length;
    // per axis of the site's shape, the assignment's stride along it (0 where the assignment is constant)
    if (along.length < rank) along = new Int32Array(2 * rank);
    along.fill(0, 0, rank);
    for (let i = a.plates.length - 1, stride = 1; i >= 0; stride *= a.sizes[i]!, i--) {
      const axis = slot.axisOf.get(a.plates[i]!);
      if (axis === undefined) throw new Error(`internal: '${slot.site}' was decoded along ${a.plates[i]!}, which is not one of its plates`);
      along[axis] = stride;
    }
    const run = rank === 0 ? 1 : shape[rank - 1]!;
    const step = rank === 0 ? 0 : along[rank - 1]!;
    for (let c = 0; c < slot.size; c += run) {
      let flat = a.offset;
      for (let j = 0; j < rank - 1; j++) flat += (Math.floor(c / strides[j]!) % shape[j]!) * along[j]!;
      for (let q = 0, o = slot.offset + c; q < run; q++, o++, flat += step) out[o] = a.values[flat]!;
    }
  }
}

// writeIndices' scratch (one call at a time, nothing outlives it)
let along = new Int32Array(8);

/** How many indices the slots pack. */
export function packedSize(slots: readonly DecodedSlot[]): number {
  const last = slots[slots.length - 1];
  return last === undefined ? 0 : last.offset + last.size;
}

/**
 * Each site's decoded value (its plate shape ++ its event shape, the
 * support's dtype): the support rows its indices pick, in JS. Sites decoded
 * to the same value share one tensor: a chain's sites decoded to the same
 * state give one tensor per state, so inferDiscrete's replay derives from it
 * (vindex, a distribution's parameters, their checks) once per state.
 */
export function decodedValues(slots: readonly DecodedSlot[], packed: ArrayLike<number>): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  // by dtype and shape, the values made so far: a slot's rows are compared with each element by element before
  // a new value is made (a key of its elements, joined into a string, cost a time-vectorised site's decode as much
  // as the rest of the read; a chain's sites mostly repeat a few values, and take no array of their own)
  const shared = new Map<string, { readonly out: tf.TypedArray; readonly value: tf.Tensor }[]>();
  for (const slot of slots) {
    let made = shared.get(slot.valueKey);
    if (made === undefined) shared.set(slot.valueKey, (made = []));
    let value: tf.Tensor | undefined;
    for (let k = 0; k < made.length && value === undefined; k++) if (picksEqual(slot, packed, made[k]!.out)) value = made[k]!.value;
    if (value === undefined) {
      const out = picked(slot, packed);
      made.push({ out, value: (value = tf.tensor(out, [...slot.valueShape], slot.dtype)) });
    }
    values.set(slot.site, value);
  }
  return values;
}

/** The support rows the slot's positions pick, in order. */
function picked({ support, size, offset, eventSize: E }: DecodedSlot, packed: ArrayLike<number>): tf.TypedArray {
  const out = new (support.constructor as new (n: number) => tf.TypedArray)(size * E);
  for (let c = 0; c < size; c++) {
    const row = packed[offset + c]! * E;
    for (let e = 0; e < E; e++) out[c * E + e] = support[row + e]!;
  }
  return out;
}

/** Whether the support rows the slot's positions pick are `out`. */
function picksEqual({ support, size, offset, eventSize: E }: DecodedSlot, packed: ArrayLike<number>, out: tf.TypedArray): boolean {
  for (let c = 0; c < size; c++) {
    const row = packed[offset + c]! * E;
    for (let e = 0; e < E; e++) if (out[c * E + e] !== support[row + e]) return false;
  }
  return true;
}
